// Test cgroups under /sys/fs/cgroup/unified: whether the tests can run here, unique leaves, bounded runs, and removal of everything made.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseCgroup2Mounts } from '../../../src/os/cgroup-detect.js';
import type { ContainedCommand } from '../../../src/os/cgroup-shim.js';
import { waitFor } from '../../helpers/wait-for.js';
import { populated } from '../../helpers/daemon-cgroups.js';

export const UNIFIED = '/sys/fs/cgroup/unified';

/** false when the tests can run, else the reason they are skipped. */
export function skipReason(): string | false {
  let mountinfo: string;
  try {
    mountinfo = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return 'cannot read /proc/self/mountinfo';
  }
  const mount = parseCgroup2Mounts(mountinfo).find((m) => m.mountPoint === UNIFIED);
  if (mount === undefined) return `${UNIFIED} is not a cgroup2 mount`;
  if (mount.readOnly) return `${UNIFIED} is mounted read-only`;
  const trial = path.join(UNIFIED, `zinit-ts-test-probe-${process.pid}`);
  try {
    fs.mkdirSync(trial);
    fs.rmdirSync(trial);
  } catch (err) {
    return `cannot make a cgroup in ${UNIFIED}: ${(err as Error).message}`;
  }
  return false;
}

const made: string[] = [];
let serial = 0;

/** A new empty cgroup, removed by removeTestCgroups. */
export function makeTestCgroup(): string {
  const dir = path.join(UNIFIED, `zinit-ts-test-${process.pid}-${++serial}`);
  fs.mkdirSync(dir);
  made.push(dir);
  return dir;
}

/** Remembers a cgroup that something else made, so that it is removed too. */
export function trackTestCgroup(dir: string): void {
  made.push(dir);
}

/** Kills what is left in every test cgroup (cgroup.kill), waits until each is empty, removes them deepest first. */
export async function removeTestCgroups(): Promise<void> {
  const dirs = made.splice(0).sort((a, b) => b.length - a.length);
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) continue;
    if (populated(dir)) fs.writeFileSync(path.join(dir, 'cgroup.kill'), '1');
  }
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) continue;
    await waitFor(() => !populated(dir), 5000, `${dir} to empty`);
    fs.rmdirSync(dir);
  }
}

export interface Finished {
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Starts a command the way spawnProcess does (own session); stdout and stderr collected. */
export function start(cmd: ContainedCommand | { file: string; args: string[]; env: Record<string, string> }, extraStdio: StdioOptions = []): ChildProcess {
  const extra = Array.isArray(extraStdio) ? extraStdio : [];
  return spawn(cmd.file, cmd.args, { env: cmd.env, detached: true, stdio: ['pipe', 'pipe', 'pipe', ...extra] });
}

/** The whole output and the exit of a started child, within `ms`. */
export async function finish(child: ChildProcess, ms = 10000): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  let closed = false;
  child.stdout?.setEncoding('utf8').on('data', (t: string) => (stdout += t));
  child.stderr?.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  child.once('close', () => (closed = true));
  child.stdin?.end();
  await waitFor(() => closed, ms, `pid ${child.pid} to exit and close its output`);
  return { code: child.exitCode, signal: child.signalCode, stdout, stderr };
}

/** The cgroup path (the 0:: line) of a live process, or null once it is gone. */
export function cgroupOf(pid: number): string | null {
  try {
    const line = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').find((l) => l.startsWith('0::'));
    return line === undefined ? null : line.slice(3);
  } catch {
    return null;
  }
}

/** The path of a test cgroup as /proc/PID/cgroup shows it. */
export function hierarchyPath(dir: string): string {
  return `/${path.relative(UNIFIED, dir)}`;
}

export function procsOf(dir: string): number[] {
  return fs
    .readFileSync(path.join(dir, 'cgroup.procs'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map(Number);
}
