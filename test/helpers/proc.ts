// Test-side views of /proc: is a pid alive (zombies count as dead), which processes carry a marker.
import fs from 'node:fs';
import { SHIM_SCRIPT } from '../../src/os/cgroup-shim.js';
import { waitFor } from './wait-for.js';

/** The state letter of `pid` in /proc/PID/stat (R, S, T, Z…), or null once it is gone. */
export function stateOf(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return null;
  }
}

export function isAlive(pid: number): boolean {
  const state = stateOf(pid);
  return state !== null && state !== 'Z' && state !== 'X';
}

/** Live pids whose command line contains `marker`. */
export function pidsWithMarker(marker: string): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (cmd.includes(marker) && isAlive(Number(d))) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

export function killAll(pids: readonly number[]): void {
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** Live pids whose environment holds `entry` (e.g. the daemon's socket tag): how a test finds what it leaked. */
export function pidsWithEnv(entry: string): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (fs.readFileSync(`/proc/${d}/environ`, 'utf8').split('\0').includes(entry) && isAlive(Number(d))) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

/** One process named by pid and start time, so a reused pid is never mistaken for it. */
export interface ProcIdentity {
  readonly pid: number;
  readonly startTime: string;
}

/** What became of a process: still running, exited but unreaped, or gone from /proc (reaped; a reused pid counts as gone). */
export function fateOf(id: ProcIdentity): 'alive' | 'zombie' | 'gone' {
  try {
    const stat = fs.readFileSync(`/proc/${id.pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (rest[19] !== id.startTime) return 'gone';
    return rest[0] === 'Z' || rest[0] === 'X' ? 'zombie' : 'alive';
  } catch {
    return 'gone';
  }
}

/** Counts of `fateOf` over many processes. */
export function fates(ids: readonly ProcIdentity[]): { alive: number; zombie: number; gone: number } {
  const out = { alive: 0, zombie: 0, gone: 0 };
  for (const id of ids) out[fateOf(id)]++;
  return out;
}

/** Every process in /proc with its parent, state, start time and command line (NUL turned into spaces); one walk. */
export function processList(): { pid: number; ppid: number; state: string; startTime: string; cmdline: string }[] {
  const out: { pid: number; ppid: number; state: string; startTime: string; cmdline: string }[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmdline = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ').trim();
      out.push({ pid: Number(d), ppid: Number(rest[1]), state: rest[0] ?? '?', startTime: rest[19] ?? '', cmdline });
    } catch {
      /* gone */
    }
  }
  return out;
}

/**
 * True while `pid` is still the cgroup shim that runs before a service's program (its /bin/sh, setpriv or
 * env -i steps, a few ms after spawn in cgroup mode): its environment, ids and command line are not yet the
 * program's. False once it is the program, and for a process that is gone.
 */
export function inShim(pid: number): boolean {
  let argv: string[];
  try {
    argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return false;
  }
  if (argv[0] === '/bin/sh' && argv[1] === '-c' && argv[2] === SHIM_SCRIPT) return true;
  if ((argv[0] ?? '').endsWith('setpriv') && argv.includes('--clear-groups') && argv.includes('/usr/bin/env')) return true;
  return argv[0] === '/usr/bin/env' && argv[1] === '-i' && argv[2] === '--';
}

/** Waits (bounded) until `pid` has become its service's program: what a test reads of /proc/PID is then the program's. */
export async function pastShim(pid: number): Promise<void> {
  await waitFor(() => !inShim(pid), 5000, `pid ${pid} to leave the cgroup shim and run its program`);
}
