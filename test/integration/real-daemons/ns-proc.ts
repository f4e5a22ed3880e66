// Host-side /proc views of processes inside a child PID namespace: pids the daemon reports mapped to host pids.
import fs from 'node:fs';
import { waitFor } from '../../helpers/wait-for.js';

export interface HostProcess {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  readonly sid: number;
  readonly uid: number;
  readonly cmdline: string;
}

/** The PID namespace that `unshare --fork` (host pid given) created for its child. */
export function childNamespace(unsharePid: number): string {
  return fs.readlinkSync(`/proc/${unsharePid}/ns/pid_for_children`);
}

/** The host pid of `nsPid` in namespace `ns` (from the NSpid line of /proc/PID/status), or null. */
export function hostPid(ns: string, nsPid: number): number | null {
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (fs.readlinkSync(`/proc/${d}/ns/pid`) !== ns) continue;
      const line = fs.readFileSync(`/proc/${d}/status`, 'utf8').split('\n').find((l) => l.startsWith('NSpid:'));
      const ids = (line ?? '').split(/\s+/).slice(1).filter(Boolean).map(Number);
      if (ids[ids.length - 1] === nsPid) return Number(d);
    } catch {
      /* exited meanwhile */
    }
  }
  return null;
}

export function hostProcess(pid: number): HostProcess | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name: state ppid pgrp session ...
    const [, ppid, pgid, sid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    const uid = Number(/^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    if (ppid === undefined || pgid === undefined || sid === undefined || Number.isNaN(uid)) return null;
    return { pid, ppid, pgid, sid, uid, cmdline };
  } catch {
    return null;
  }
}

export interface NamespaceInit {
  readonly ns: string;
  /** Host pid of the namespace's PID 1. */
  readonly pid: number;
  /** Its start time (field 22 of /proc/PID/stat): pid and start time name one process for its whole life. */
  readonly startTime: string;
}

function startTimeAndState(pid: number): { startTime: string; state: string } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0] ?? '', startTime: rest[19] ?? '' };
  } catch {
    return null;
  }
}

/** The PID 1 of the namespace `unshare --fork` (host pid given) created, or null if it is gone. */
export function namespaceInit(unsharePid: number): NamespaceInit | null {
  const ns = childNamespace(unsharePid);
  const pid = hostPid(ns, 1);
  const st = pid === null ? null : startTimeAndState(pid);
  return pid === null || st === null ? null : { ns, pid, startTime: st.startTime };
}

function isRunning(init: NamespaceInit): boolean {
  const st = startTimeAndState(init.pid);
  return st !== null && st.startTime === init.startTime && st.state !== 'Z' && st.state !== 'X';
}

/**
 * Ends a namespace that is still running: SIGKILL to its PID 1 (checked to be the same process first) makes
 * the kernel kill everything in it, and that PID 1 only finishes exiting once they are all gone. Killing
 * `unshare` alone would leave the namespace running.
 */
export async function endNamespace(init: NamespaceInit, timeoutMs = 10_000): Promise<void> {
  if (!isRunning(init)) return;
  try {
    process.kill(init.pid, 'SIGKILL');
  } catch {
    /* exited meanwhile */
  }
  await waitFor(() => !isRunning(init), timeoutMs, `the namespace ${init.ns} to end`);
}
