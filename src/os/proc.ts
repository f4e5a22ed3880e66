// Synchronous, cheap readers of /proc: process status, environment, command line, children.
import fs from 'node:fs';
import { systemPageSize } from './libc.js';

export interface ProcStat {
  pid: number;
  comm: string;
  /** R, S, D, Z, T, t, X, I, ... */
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  /** Clock ticks (CLOCK_TICKS per second). */
  utime: number;
  stime: number;
  /** Clock ticks since boot: with the pid, identifies one process across pid reuse. */
  starttime: number;
  rssPages: number;
  numThreads: number;
}

/** USER_HZ: what /proc reports times in, fixed at 100 by the kernel ABI on x86 and arm whatever CONFIG_HZ is. */
export const CLOCK_TICKS = 100;
export const PAGE_SIZE: number = systemPageSize() ?? 4096;

// Fields after the closing ')' of comm, counted from field 3 (state) of proc(5).
const AFTER_COMM = { state: 0, ppid: 1, pgrp: 2, session: 3, utime: 11, stime: 12, numThreads: 17, starttime: 19, rss: 21 } as const;

const isGone = (err: unknown): boolean => {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  // ESRCH: the process died between open and read.
  return code === 'ENOENT' || code === 'ESRCH';
};

const isUnreadable = (err: unknown): boolean => {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return isGone(err) || code === 'EACCES' || code === 'EPERM';
};

/** Parses /proc/<pid>/stat. comm may hold spaces and ')' itself, so the split is after the last ')'. */
export function parseStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 1 || close < open) throw new Error(`not a /proc/<pid>/stat line (no "(comm)"): ${JSON.stringify(text.slice(0, 80))}`);
  const rest = text.slice(close + 2).trimEnd().split(' ');
  if (rest.length <= AFTER_COMM.rss) {
    throw new Error(`truncated /proc/<pid>/stat line: ${rest.length + 2} fields, expected at least ${AFTER_COMM.rss + 3}`);
  }
  const num = (i: number): number => Number(rest[i]);
  return {
    pid: Number(text.slice(0, open - 1)),
    comm: text.slice(open + 1, close),
    state: rest[AFTER_COMM.state] ?? '?',
    ppid: num(AFTER_COMM.ppid),
    pgrp: num(AFTER_COMM.pgrp),
    session: num(AFTER_COMM.session),
    utime: num(AFTER_COMM.utime),
    stime: num(AFTER_COMM.stime),
    starttime: num(AFTER_COMM.starttime),
    rssPages: num(AFTER_COMM.rss),
    numThreads: num(AFTER_COMM.numThreads),
  };
}

/** null when the process is gone. */
export function readStat(pid: number, root = '/proc'): ProcStat | null {
  let text: string;
  try {
    text = fs.readFileSync(`${root}/${pid}/stat`, 'utf8');
  } catch (err) {
    if (isGone(err)) return null;
    throw err;
  }
  return parseStat(text);
}

export function listPids(root = '/proc'): number[] {
  const pids: number[] = [];
  for (const name of fs.readdirSync(root)) {
    const code = name.charCodeAt(0);
    if (code >= 48 && code <= 57) pids.push(Number(name));
  }
  return pids;
}

function readNulSeparated(path: string): string[] | null {
  let raw: Buffer;
  try {
    raw = fs.readFileSync(path);
  } catch (err) {
    if (isUnreadable(err)) return null;
    throw err;
  }
  const parts = raw.toString('utf8').split('\0');
  if (parts.at(-1) === '') parts.pop();
  return parts;
}

/** The environment the process started with; null when it is gone or belongs to someone we may not inspect. */
export function readEnviron(pid: number, root = '/proc'): Map<string, string> | null {
  const entries = readNulSeparated(`${root}/${pid}/environ`);
  if (!entries) return null;
  const env = new Map<string, string>();
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return env;
}

/** Empty for a process that is gone, a zombie, or a kernel thread. */
export function readCmdline(pid: number, root = '/proc'): string[] {
  return readNulSeparated(`${root}/${pid}/cmdline`) ?? [];
}

/** Direct children of this process: orphans can be reparented to any of its threads, so every task is read. */
export function readOwnChildren(root = '/proc'): number[] {
  return readChildren('self', 0, root) ?? [];
}

/**
 * Direct children of `pid` (every thread's: a child belongs to the thread that forked it, or that it was
 * reparented to); null when the process is gone. With `threads` 1 (from its stat) the task directory is
 * not listed: the only task is the process itself.
 */
export function readChildren(pid: number | 'self', threads: number, root = '/proc'): number[] | null {
  const taskDir = `${root}/${pid}/task`;
  let tids: readonly string[];
  if (threads === 1 && pid !== 'self') tids = [String(pid)];
  else {
    try {
      tids = fs.readdirSync(taskDir);
    } catch (err) {
      if (isGone(err)) return null;
      throw err;
    }
  }
  const children: number[] = [];
  for (const tid of tids) {
    let text: string;
    try {
      text = fs.readFileSync(`${taskDir}/${tid}/children`, 'utf8');
    } catch (err) {
      if (!isGone(err)) throw err;
      // Not listed: the only task is the process, and it is gone. Listed: a thread that exited since.
      if (tids.length === 1 && threads === 1) return null;
      continue;
    }
    for (const word of text.split(' ')) if (word.trim() !== '') children.push(Number(word));
  }
  return children;
}

/** Exists and is not a zombie: unlike kill(pid, 0), an unreaped zombie does not count as alive. */
export function isAlive(pid: number, root = '/proc'): boolean {
  const stat = readStat(pid, root);
  return stat !== null && stat.state !== 'Z' && stat.state !== 'X';
}
