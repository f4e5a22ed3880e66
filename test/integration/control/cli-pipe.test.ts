// A reader that leaves the CLI's output early (`zinit-ts log | head`) ends the command quietly.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startDaemon, type DaemonHandle } from '../../helpers/daemon.js';
import { cliEntry } from '../../helpers/paths.js';
import { waitFor } from '../../helpers/wait-for.js';

const daemons: DaemonHandle[] = [];
after(async () => {
  for (const d of daemons) await d.cleanup();
});

/** Runs the CLI with `args`, closes its stdout after the first output, and gives its exit and stderr. */
async function closeEarly(socket: string, args: readonly string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const cli = spawn(process.execPath, [cliEntry, '-s', socket, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  cli.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  cli.stdout.once('data', () => cli.stdout.destroy());
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  cli.once('exit', (code, signal) => (exit = { code, signal }));
  try {
    const e = await waitFor(() => exit, 15_000, `zinit-ts ${args.join(' ')} to end once its reader left`);
    await new Promise((r) => (cli.stderr.readableEnded ? r(null) : cli.stderr.once('end', r)));
    return { ...e, stderr };
  } finally {
    if (exit === null) cli.kill('SIGKILL');
  }
}

test('a log reader that leaves early (log | head) ends the following CLI with exit 0 and nothing on stderr', async () => {
  const d = await startDaemon({ chatty: "exec: sh -c 'while :; do seq 1 2000; sleep 0.05; done'\n" });
  daemons.push(d);
  const r = await closeEarly(d.socket, ['log', 'chatty']);
  assert.deepEqual(r, { code: 0, signal: null, stderr: '' });
  // The daemon is untouched by the client's end.
  assert.equal((await d.cli(['status', 'chatty'])).code, 0);
});

test('the same for a snapshot much larger than a pipe holds (log -s | head)', async () => {
  const d = await startDaemon({ chatty: "exec: sh -c 'seq 1 20000; exec sleep 1000'\n" }, ['-b', '20000']);
  daemons.push(d);
  await waitFor(async () => ((await d.cli(['log', '-s', 'chatty'])).stdout.includes(' 20000') ? true : null), 10_000, 'all 20000 lines in the ring');
  const r = await closeEarly(d.socket, ['log', '-s', 'chatty']);
  assert.deepEqual(r, { code: 0, signal: null, stderr: '' });
});
