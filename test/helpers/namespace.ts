// Runs the daemon as a non-PID-1 child of a sentinel that is PID 1 of a fresh PID namespace, so what it leaves behind is visible.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cliEntry, fixture } from './paths.js';
import { runCli, tempDir, writeServices, type CliResult } from './daemon.js';
import { waitFor } from './wait-for.js';

export interface SentinelResult {
  readonly code: number | null;
  readonly signal: string | null;
  readonly left: readonly { pid: number; state: string; cmdline: string }[];
}

export interface NamespacedDaemon {
  readonly dir: string;
  readonly socket: string;
  readonly unshare: ChildProcess;
  cli(args: readonly string[]): Promise<CliResult>;
  log(): string;
  /** The sentinel's record of the daemon's exit and what was alive after it. */
  result(timeoutMs?: number): Promise<SentinelResult>;
  cleanup(): Promise<void>;
}

export async function startInNamespace(files: Record<string, string>, opts: { env?: NodeJS.ProcessEnv; args?: readonly string[]; dir?: string } = {}): Promise<NamespacedDaemon> {
  const dir = opts.dir ?? tempDir('zinit-ts-ns-');
  const configDir = path.join(dir, 'services');
  writeServices(configDir, files);
  const socket = path.join(dir, 'zinit.sock');
  const resultFile = path.join(dir, 'result.json');
  const unshare = spawn(
    'unshare',
    ['--pid', '--fork', '--mount-proc', process.execPath, fixture('sentinel.js'), resultFile, process.execPath, cliEntry, '-s', socket, 'init', '-c', configDir, ...(opts.args ?? [])],
    { stdio: 'ignore', env: { ...process.env, ...(opts.env ?? {}) } },
  );
  let unshareExited = false;
  unshare.once('exit', () => (unshareExited = true));
  const log = (): string => (fs.existsSync(`${resultFile}.log`) ? fs.readFileSync(`${resultFile}.log`, 'utf8') : '');
  await waitFor(() => unshareExited || (fs.existsSync(socket) && log().includes('services loaded')), 15_000, 'namespaced daemon ready');
  if (unshareExited) throw new Error(`namespace ended early:\n${log()}`);
  return {
    dir,
    socket,
    unshare,
    cli: (args) => runCli(args, { socket }),
    log,
    result: async (timeoutMs = 30_000) => {
      await waitFor(() => fs.existsSync(resultFile), timeoutMs, `daemon exit in the namespace; log:\n${log()}`);
      return JSON.parse(fs.readFileSync(resultFile, 'utf8')) as SentinelResult;
    },
    cleanup: async () => {
      // Ending the namespace's PID 1 makes the kernel kill everything left in it.
      if (!unshareExited) {
        unshare.kill('SIGKILL');
        await waitFor(() => unshareExited, 10_000, 'unshare exit').catch(() => undefined);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
