// Resident memory of a process from /proc, for bounds on what a daemon keeps.
import fs from 'node:fs';

export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) / 1024;
}

/** Bytes a process has written so far (/proc/<pid>/io wchar). */
export function bytesWritten(pid: number): number {
  const m = /wchar: (\d+)/.exec(fs.readFileSync(`/proc/${pid}/io`, 'utf8'));
  return m ? Number(m[1]) : 0;
}
