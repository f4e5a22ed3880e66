// What a test of the daemon's cgroup mode reads: where its base is, who is in a leaf (cgroup.procs, /proc), and removal of what a failed test left.
import fs from 'node:fs';
import path from 'node:path';
import { parseOwnCgroup } from '../../../src/os/cgroup-detect.js';
import { daemonCgroupBase, populated } from '../../helpers/daemon-cgroups.js';
import { isAlive } from '../../helpers/proc.js';
import { waitFor } from '../../helpers/wait-for.js';
import { UNIFIED } from './test-cgroups.js';

/** The cgroup directory of this test process: a daemon it spawns starts there. */
export function ownCgroupDir(): string {
  const own = parseOwnCgroup(fs.readFileSync('/proc/self/cgroup', 'utf8'));
  if (own === null) throw new Error('no cgroup v2 line in /proc/self/cgroup');
  // own is absolute ('/' at the root): joined without its slash so that the root is UNIFIED itself.
  return path.join(UNIFIED, own.slice(1));
}

/** The base a daemon on `socket` makes in auto mode: its own cgroup is shared with the test runner, so it cannot own it whole. */
export function expectedBase(socket: string): string {
  const base = daemonCgroupBase(socket);
  if (base === null) throw new Error('no cgroup v2 directory for this test process');
  return base;
}

/** The pids a cgroup.procs lists, or [] once the cgroup is gone. */
export function procsIn(dir: string): number[] {
  try {
    return fs
      .readFileSync(path.join(dir, 'cgroup.procs'), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map(Number);
  } catch {
    return [];
  }
}

/** Listed pids that have not exited (a zombie is still listed until reaped, but it is dead). */
export function liveProcsIn(dir: string): number[] {
  return procsIn(dir).filter(isAlive);
}

/** The names of the cgroups directly below `dir`. */
export function childCgroups(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
}

/** The command line with NULs as spaces, or null once gone. */
export function cmdlineOf(pid: number): string | null {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return null;
  }
}

/** The environment entries of a live process. */
export function environOf(pid: number): string[] {
  return fs
    .readFileSync(`/proc/${pid}/environ`, 'utf8')
    .split('\0')
    .filter((e) => e !== '');
}

/** Session and process group from /proc/PID/stat. */
export function sessionOf(pid: number): { ppid: number; pgrp: number; session: number; startTime: string } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(rest[1]), pgrp: Number(rest[2]), session: Number(rest[3]), startTime: rest[19] ?? '' };
}

/** Whether a process has `signal` (a number) set to ignored, from SigIgn in /proc/PID/status. */
export function ignoresSignal(pid: number, signal: number): boolean {
  const m = /^SigIgn:\s*([0-9a-f]+)$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m?.[1] !== undefined && ((BigInt(`0x${m[1]}`) >> BigInt(signal - 1)) & 1n) === 1n;
}

/**
 * Kills what is left in a cgroup tree a test made the daemon create (cgroup.kill), then removes it deepest
 * first: a failed test must not leave cgroups or processes for the next one.
 */
export async function removeCgroupTree(dir: string): Promise<void> {
  if (!fs.existsSync(dir)) return;
  if (populated(dir)) fs.writeFileSync(path.join(dir, 'cgroup.kill'), '1');
  await waitFor(() => !populated(dir), 10_000, `${dir} to empty`);
  const remove = (d: string): void => {
    for (const c of childCgroups(d)) remove(path.join(d, c));
    fs.rmdirSync(d);
  };
  remove(dir);
}
