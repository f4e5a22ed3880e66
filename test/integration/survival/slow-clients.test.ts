// The daemon survives clients that stop reading: a suspended `run` and hundreds of log followers cost bounded memory, and requests stay answered.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { startDaemon, type DaemonHandle } from '../../helpers/daemon.js';
import { cliEntry } from '../../helpers/paths.js';
import { isAlive } from '../../helpers/proc.js';
import { bytesWritten, rssMiB } from '../../helpers/rss.js';
import { waitFor } from '../../helpers/wait-for.js';
import { RpcClient } from '../../../src/ipc/client.js';

const daemons: DaemonHandle[] = [];
/** Bytes the reading followers got: proof they were really subscribed and served. */
let received = 0;
after(async () => {
  for (const d of daemons) await d.cleanup();
});

interface Listed {
  name: string;
  pid: number;
}

test('a suspended `run` client: the command keeps running, the daemon grows < 64 MiB, and the client is told the gap when it resumes', async () => {
  const d = await startDaemon({ idle: 'exec: sleep 1000\n' });
  daemons.push(d);
  const baseline = rssMiB(d.pid);
  const line = 'x'.repeat(2000);
  const cli = spawn(process.execPath, [cliEntry, '-s', d.socket, 'run', '--name', 'printer', '--', 'yes', line], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdoutBytes = 0;
  let stderr = '';
  cli.stdout.on('data', (b: Buffer) => (stdoutBytes += b.length));
  cli.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<number | null>((r) => cli.once('exit', (code) => r(code)));
  try {
    await waitFor(() => stdoutBytes > 100_000, 10_000, 'the run to stream output');
    const listed = JSON.parse((await d.cli(['list', '--json'])).stdout) as Listed[];
    const pid = listed.find((s) => s.name === 'run:printer')?.pid ?? 0;
    assert.ok(pid > 0 && isAlive(pid), 'the run is listed with a live pid');

    cli.kill('SIGSTOP');
    const start = bytesWritten(pid);
    let peak = 0;
    // 200 MB printed while nobody reads: far past every bound, so unbounded queueing would show.
    await waitFor(
      () => {
        peak = Math.max(peak, rssMiB(d.pid));
        return bytesWritten(pid) - start > 200e6;
      },
      90_000,
      'the command to print 200 MB while its client is stopped',
      50,
    );
    assert.ok(isAlive(pid), 'the command is still running, supervised');
    assert.ok(peak - baseline < 64, `daemon RSS grew ${(peak - baseline).toFixed(1)} MiB (baseline ${baseline.toFixed(1)}, peak ${peak.toFixed(1)})`);
    const status = JSON.parse((await d.cli(['list', '--json'])).stdout) as Listed[];
    assert.ok(status.some((s) => s.name === 'idle'), 'the daemon answers while the client is stopped');

    cli.kill('SIGCONT');
    await waitFor(() => /output line\(s\) dropped while this client was not reading/.test(stderr), 30_000, `the gap notice; stderr so far: ${stderr}`);
    cli.kill('SIGINT');
    await waitFor(() => !isAlive(pid), 10_000, 'the command to be killed when its client leaves');
    await exited;
  } finally {
    cli.kill('SIGKILL');
  }
});

/** A follower as a plain client would be: EAGAIN (the daemon's accept queue full for a moment) is tried again. */
async function follower(socketPath: string, name: string, read: boolean): Promise<net.Socket> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await followOnce(socketPath, name, read);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || attempt >= 50) throw err;
      await new Promise((res) => setTimeout(res, 20));
    }
  }
}

function followOnce(socketPath: string, name: string, read: boolean): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.createConnection(socketPath, () => {
      s.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'stream_subscribeLogs', params: { name } })}\n`);
      if (!read) s.pause();
      resolve(s);
    });
    if (read) s.on('data', (b: Buffer) => (received += b.length));
    s.on('error', () => undefined);
    s.once('error', reject);
  });
}

test('400 held followers (half never reading) and 1000 that come and go on a 10k-lines/s service: every service_list is answered, memory comes back', async () => {
  const d = await startDaemon({
    noisy: "exec: sh -c 'while :; do seq 1 1000; sleep 0.1; done'\n",
    quiet: 'exec: sleep 1000\n',
  });
  daemons.push(d);
  const baseline = rssMiB(d.pid);
  const lister = await RpcClient.connect(d.socket);
  const held: net.Socket[] = [];
  let answered = 0;
  let worst = 0;
  let listing = true;
  const listLoop = (async (): Promise<void> => {
    while (listing) {
      const t0 = performance.now();
      const r = (await lister.call('service_list', [], { timeoutMs: 10_000 })) as Record<string, string>;
      worst = Math.max(worst, performance.now() - t0);
      assert.equal(r.noisy, 'Running');
      answered += 1;
      await new Promise((res) => setTimeout(res, 20));
    }
  })();
  try {
    for (let i = 0; i < 400; i++) held.push(await follower(d.socket, 'noisy', i % 2 === 0));
    let churned = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (churned < 1000) {
          churned += 1;
          const s = await follower(d.socket, 'noisy', true);
          await new Promise((res) => setTimeout(res, 5));
          s.destroy();
        }
      }),
    );
    const before = answered;
    await waitFor(() => answered > before + 20, 20_000, 'service_list to keep being answered under the load');
    const peak = rssMiB(d.pid);
    listing = false;
    await listLoop;
    assert.ok(answered > 20, `answered ${answered} service_list calls`);
    assert.ok(received > 1e6, `the reading followers received ${received} bytes of log lines`);
    for (const s of held) s.destroy();
    await waitFor(async () => (await lister.call('service_list')) !== null && true, 5000, 'the daemon to answer after the followers leave');
    // RSS the kernel gives back lazily; the bound is on what stays, with a margin for V8's own pools.
    const settled = await waitFor(() => {
      const now = rssMiB(d.pid);
      return now - baseline < 64 ? now : null;
    }, 20_000, `RSS back near the baseline ${baseline.toFixed(1)} MiB (peak ${peak.toFixed(1)} MiB)`, 200);
    assert.ok(settled - baseline < 64);
    assert.ok(worst < 10_000, `slowest service_list ${worst.toFixed(0)} ms`);
  } finally {
    listing = false;
    for (const s of held) s.destroy();
    await lister.close();
  }
});
