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

const MINUS = 0x2d;

/**
 * Parses /proc/<pid>/stat. comm may hold spaces and ')' itself, so the split is after the last ')'.
 * Only the fields kept are decoded, in place: a walk of /proc (once per respawn of a crash-looping
 * service) then costs one object and one string per process, not fifty strings.
 */
export function parseStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 1 || close < open) throw new Error(`not a /proc/<pid>/stat line (no "(comm)"): ${JSON.stringify(text.slice(0, 80))}`);
  let end = text.length;
  while (end > close + 1 && text.charCodeAt(end - 1) <= 0x20) end -= 1;
  const stat: ProcStat = { pid: decimal(text, 0, open - 1), comm: text.slice(open + 1, close), state: '?', ppid: NaN, pgrp: NaN, session: NaN, utime: NaN, stime: NaN, starttime: NaN, rssPages: NaN, numThreads: NaN };
  let count = 0;
  for (let i = close + 2; i <= end; i++) {
    let j = text.indexOf(' ', i);
    if (j === -1 || j > end) j = end;
    switch (count) {
      case AFTER_COMM.state:
        stat.state = text.slice(i, j);
        break;
      case AFTER_COMM.ppid:
        stat.ppid = decimal(text, i, j);
        break;
      case AFTER_COMM.pgrp:
        stat.pgrp = decimal(text, i, j);
        break;
      case AFTER_COMM.session:
        stat.session = decimal(text, i, j);
        break;
      case AFTER_COMM.utime:
        stat.utime = decimal(text, i, j);
        break;
      case AFTER_COMM.stime:
        stat.stime = decimal(text, i, j);
        break;
      case AFTER_COMM.numThreads:
        stat.numThreads = decimal(text, i, j);
        break;
      case AFTER_COMM.starttime:
        stat.starttime = decimal(text, i, j);
        break;
      case AFTER_COMM.rss:
        stat.rssPages = decimal(text, i, j);
        break;
    }
    count += 1;
    i = j;
  }
  if (count <= AFTER_COMM.rss) {
    throw new Error(`truncated /proc/<pid>/stat line: ${count + 2} fields, expected at least ${AFTER_COMM.rss + 3}`);
  }
  return stat;
}

/** The decimal integer in text[from, to), as Number() reads one; NaN for anything else. */
function decimal(text: string, from: number, to: number): number {
  if (from >= to) return 0;
  let i = from;
  const negative = text.charCodeAt(i) === MINUS;
  if (negative) i += 1;
  if (i >= to) return Number.NaN;
  let n = 0;
  for (; i < to; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return Number.NaN;
    n = n * 10 + d;
  }
  return negative ? -n : n;
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

/** Why a per-process file could not be read: the process is gone (or has no memory: a kernel thread), or we may not look. */
export type Unread = 'gone' | 'denied';

function readRaw(path: string): Buffer | Unread {
  try {
    return fs.readFileSync(path);
  } catch (err) {
    if (isGone(err)) return 'gone';
    if (isUnreadable(err)) return 'denied';
    throw err;
  }
}

function readNulSeparated(path: string): string[] | null {
  const raw = readRaw(path);
  if (typeof raw === 'string') return null;
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

const needles = new Map<string, Buffer>();

/**
 * Only the named variables of the environment the process started with (absent ones left out), found in
 * the raw bytes: a walk of /proc reads every new process's environ, and decoding all of it is the waste.
 * Says why there is none: the environ of a kernel thread reads as gone (ESRCH), like that of an exiting process.
 */
export function readEnvironValues(pid: number, names: readonly string[], root = '/proc'): Map<string, string> | Unread {
  const raw = readRaw(`${root}/${pid}/environ`);
  if (typeof raw === 'string') return raw;
  const values = new Map<string, string>();
  for (const name of names) {
    let needle = needles.get(name);
    if (needle === undefined) needles.set(name, (needle = Buffer.from(`${name}=`)));
    // The last entry of a name wins, as readEnviron reads it.
    for (let at = raw.lastIndexOf(needle); at !== -1; at = at === 0 ? -1 : raw.lastIndexOf(needle, at - 1)) {
      if (at > 0 && raw[at - 1] !== 0) continue;
      const from = at + needle.length;
      const to = raw.indexOf(0, from);
      values.set(name, raw.toString('utf8', from, to === -1 ? raw.length : to));
      break;
    }
  }
  return values;
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
