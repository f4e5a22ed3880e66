// Starts the real daemon in a temp dir with its own socket and services, and drives it through the real CLI.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliEntry } from './paths.js';
import { removeDaemonCgroups } from './daemon-cgroups.js';
import { pastShim } from './proc.js';
import { waitFor } from './wait-for.js';

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface DaemonHandle {
  readonly dir: string;
  readonly configDir: string;
  readonly socket: string;
  readonly child: ChildProcess;
  readonly pid: number;
  output(): string;
  /** What the daemon wrote to its stdout alone, and to its stderr alone. */
  stdout(): string;
  stderr(): string;
  cli(args: readonly string[], timeoutMs?: number): Promise<CliResult>;
  /** Resolves with the daemon's exit code once it has exited (bounded). */
  exited(timeoutMs?: number): Promise<number | null>;
  /** Stop the daemon if still running (shutdown, then SIGKILL), and remove the temp dir. */
  cleanup(): Promise<void>;
}

export function tempDir(prefix = 'zinit-ts-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function writeServices(configDir: string, files: Record<string, string>): void {
  fs.mkdirSync(configDir, { recursive: true });
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(configDir, name.includes('.') ? name : `${name}.yaml`), text);
}

export function runCli(args: readonly string[], opts: { socket?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  const full = opts.socket ? ['-s', opts.socket, ...args] : [...args];
  return new Promise((resolve) => {
    execFile(process.execPath, [cliEntry, ...full], { timeout: opts.timeoutMs ?? 20_000, env: opts.env ?? process.env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export async function startDaemon(files: Record<string, string>, extraArgs: readonly string[] = [], opts: { dir?: string; waitReady?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<DaemonHandle> {
  const dir = opts.dir ?? tempDir();
  const configDir = path.join(dir, 'services');
  writeServices(configDir, files);
  const socket = path.join(dir, 'zinit.sock');
  const child = spawn(process.execPath, [cliEntry, '-s', socket, 'init', '-c', configDir, ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env });
  let out = '';
  let stdoutText = '';
  let stderrText = '';
  child.stdout?.on('data', (b: Buffer) => {
    out += b.toString();
    stdoutText += b.toString();
  });
  child.stderr?.on('data', (b: Buffer) => {
    out += b.toString();
    stderrText += b.toString();
  });
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let exitCode: number | null | undefined;
  void exit.then((c) => (exitCode = c));
  const handle: DaemonHandle = {
    dir,
    configDir,
    socket,
    child,
    pid: child.pid ?? -1,
    output: () => out,
    stdout: () => stdoutText,
    stderr: () => stderrText,
    cli: (args, timeoutMs) => runCli(args, { socket, ...(timeoutMs ? { timeoutMs } : {}) }),
    exited: async (timeoutMs = 30_000) => {
      await waitFor(() => exitCode !== undefined, timeoutMs, 'daemon exit');
      return exitCode ?? null;
    },
    cleanup: async () => {
      if (exitCode === undefined) {
        child.kill('SIGTERM');
        await waitFor(() => exitCode !== undefined, 30_000, 'daemon exit after SIGTERM').catch(() => child.kill('SIGKILL'));
      }
      await removeDaemonCgroups(socket);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  if (opts.waitReady !== false) {
    await waitFor(() => exitCode !== undefined || (fs.existsSync(socket) && out.includes('services loaded')), 15_000, `daemon ready; output so far:\n${out}`);
    if (exitCode !== undefined) throw new Error(`daemon exited early with ${exitCode}:\n${out}`);
  }
  return handle;
}

export async function statusOf(d: DaemonHandle, name: string): Promise<{ name: string; pid: number; state: string; target: string; after: Record<string, string>; exit: { code: number | null; signal: string | null } | null; restarts: number; reason: string | null }> {
  const r = await d.cli(['status', name, '--json']);
  if (r.code !== 0) throw new Error(`status ${name} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as never;
}

export async function waitState(d: DaemonHandle, name: string, state: string, timeoutMs = 10_000): Promise<Awaited<ReturnType<typeof statusOf>>> {
  const s = await waitFor(async () => {
    const s = await statusOf(d, name);
    return s.state === state ? s : null;
  }, timeoutMs, `${name} to be ${state}`);
  // In cgroup mode the pid is the shim's for a few ms after spawn; what a test reads of it is the program's.
  if (s.pid > 0) await pastShim(s.pid);
  return s;
}
