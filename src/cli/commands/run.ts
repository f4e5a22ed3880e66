// `run`: a one-off command under the manager; streams its output and exits with its exit code (128+signal if killed).
import type { Command } from 'commander';
import type { RunExit, RunItem, RunOptions } from '../../ipc/api-results.js';
import { CliError } from '../cli-error.js';
import { socketPath, withClient, type Globals } from '../connect.js';
import { needsZinitTs } from '../zinit-fallback.js';


export function registerRun(program: Command, globals: Globals): void {
  program
    .command('run')
    .description('run a transient command under the manager and exit with its exit code (zinit-ts only)')
    .option('--timeout <seconds>', 'kill the whole tree after this long')
    .option('--name <name>', 'name shown in list and logs')
    .option('--env <K=V>', 'extra environment (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--dir <path>', 'working directory', '/')
    .argument('<command...>', 'the command and its arguments (after --)')
    .action(async (argv: string[], o: { timeout?: string; name?: string; env: string[]; dir: string }) => {
      const env: Record<string, string> = {};
      for (const kv of o.env) {
        const i = kv.indexOf('=');
        if (i <= 0) throw new CliError(`--env takes KEY=VALUE, got "${kv}"`);
        env[kv.slice(0, i)] = kv.slice(i + 1);
      }
      let timeout: number | undefined;
      if (o.timeout !== undefined) {
        timeout = Number(o.timeout);
        if (!(timeout > 0)) throw new CliError(`--timeout must be a positive number of seconds, got "${o.timeout}"`);
      }
      const options: RunOptions = { env, dir: o.dir, ...(timeout === undefined ? {} : { timeout }), ...(o.name === undefined ? {} : { name: o.name }) };
      let exit: RunExit | null = null;
      const socket = socketPath(globals().socket);
      await withClient(socket, async (c) => {
        const onItem = (item: RunItem): void => {
          if ('exit' in item) exit = item.exit;
          else if ('gap' in item) process.stderr.write(`zinit-ts run: ${item.gap.dropped} output line(s) dropped while this client was not reading\n`);
          else if ('text' in item) (item.stream === 'stderr' ? process.stderr : process.stdout).write(`${item.text}\n`);
        };
        const sub = await needsZinitTs('run', socket, () => c.subscribe('system_run', [argv, options], onItem));
        // Ctrl-C: closing the connection makes the daemon kill the command's whole tree.
        const onInt = (): void => void c.close();
        process.once('SIGINT', onInt);
        process.once('SIGTERM', onInt);
        await sub.closed;
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onInt);
      });
      const r = exit as RunExit | null;
      if (!r) throw new CliError('the connection to zinit-ts ended before the command finished', 1);
      if (r.spawnError) process.stderr.write(`zinit-ts run: ${r.spawnError}\n`);
      if (r.timedOut) process.stderr.write(`zinit-ts run: timed out after ${o.timeout} s; the command's whole tree was killed\n`);
      if (r.droppedLines > 0) process.stderr.write(`zinit-ts run: ${r.droppedLines} output line(s) dropped in all (this client was not reading)\n`);
      process.exitCode = r.exitCode;
    });
}
