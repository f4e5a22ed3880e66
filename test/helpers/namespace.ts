// Runs the daemon as a non-PID-1 child of a sentinel that is PID 1 of a fresh PID namespace, so what it leaves behind is visible.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cliEntry, fixture } from './paths.js';
import { runCli, tempDir, writeServices, type CliResult } from './daemon.js';
import { waitFor } from './wait-for.js';
import { removeDaemonCgroups } from './daemon-cgroups.js';

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
    // --kill-child: if unshare dies, so does the namespace's PID 1, and with it everything inside.
    ['--pid', '--fork', '--kill-child', '--mount-proc', process.execPath, fixture('sentinel.js'), resultFile, process.execPath, cliEntry, '-s', socket, 'init', '-c', configDir, ...(opts.args ?? [])],
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
      await removeDaemonCgroups(socket);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Pid1Daemon {
  readonly dir: string;
  readonly socket: string;
  readonly configDir: string;
  /** The daemon's pid as the host sees it (it is 1 inside its namespace). */
  readonly hostPid: number;
  cli(args: readonly string[], timeoutMs?: number): Promise<CliResult>;
  log(): string;
  /** How `unshare` (and so the daemon, PID 1 of the namespace) ended. */
  exit(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  cleanup(): Promise<void>;
}

/** Runs the daemon itself as PID 1 of a fresh PID namespace. */
export async function startAsPid1(files: Record<string, string>, opts: { env?: NodeJS.ProcessEnv; args?: readonly string[]; readyTimeoutMs?: number } = {}): Promise<Pid1Daemon> {
  const dir = tempDir('zinit-ts-pid1-');
  const configDir = path.join(dir, 'services');
  writeServices(configDir, files);
  const socket = path.join(dir, 'zinit.sock');
  const unshare = spawn('unshare', ['--pid', '--fork', '--kill-child', '--mount-proc', process.execPath, cliEntry, '-s', socket, 'init', '-c', configDir, ...(opts.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...(opts.env ?? {}) },
  });
  let out = '';
  unshare.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  unshare.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  let ended: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  unshare.once('exit', (code, signal) => (ended = { code, signal }));
  await waitFor(() => ended !== null || (fs.existsSync(socket) && out.includes('services loaded')), opts.readyTimeoutMs ?? 30_000, `PID 1 daemon ready; output:\n${out}`);
  if (ended) throw new Error(`namespace ended early:\n${out}`);
  const children = fs.readFileSync(`/proc/${unshare.pid}/task/${unshare.pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
  const hostPid = children[0] ?? -1;
  return {
    dir,
    socket,
    configDir,
    hostPid,
    cli: (args, timeoutMs) => runCli(args, { socket, ...(timeoutMs ? { timeoutMs } : {}) }),
    log: () => out,
    exit: async (timeoutMs = 30_000) => {
      await waitFor(() => ended, timeoutMs, `PID 1 daemon exit; output:\n${out}`);
      return ended ?? { code: null, signal: null };
    },
    cleanup: async () => {
      if (!ended) {
        // SIGKILL to the namespace's PID 1 makes the kernel kill everything in it.
        try {
          process.kill(hostPid, 'SIGKILL');
        } catch {
          /* gone */
        }
        await waitFor(() => ended, 10_000, 'namespace end').catch(() => unshare.kill('SIGKILL'));
      }
      await removeDaemonCgroups(socket);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
