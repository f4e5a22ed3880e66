// What a test daemon killed before its own exit left in the cgroup filesystem: its empty cgroups, removed once its processes are gone.
import fs from 'node:fs';
import path from 'node:path';
import { cgroupInstanceKey, locateCgroup, parseCgroup2Mounts, parseOwnCgroup } from '../../src/os/cgroup-detect.js';
import { waitFor } from './wait-for.js';

/** The directory a daemon on `socket` makes in cgroup mode (in the test's own cgroup), or null without cgroup v2. */
export function daemonCgroupBase(socket: string): string | null {
  try {
    const own = parseOwnCgroup(fs.readFileSync('/proc/self/cgroup', 'utf8'));
    const where = own === null ? null : locateCgroup(own, parseCgroup2Mounts(fs.readFileSync('/proc/self/mountinfo', 'utf8')));
    return where === null ? null : path.join(where.dir, `zinit-ts-${cgroupInstanceKey(socket)}`);
  } catch {
    return null;
  }
}

/** `populated 1` in a cgroup's cgroup.events (false once it is gone). */
export function populated(dir: string): boolean {
  try {
    return /^populated 1$/m.test(fs.readFileSync(path.join(dir, 'cgroup.events'), 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Waits (bounded) until nothing runs in the daemon's cgroup directory (a namespace's processes die a moment
 * after its PID 1), then removes its empty cgroups, deepest first. Never kills: a cgroup that still holds a
 * process is left, and rmdir never removes one.
 */
export async function removeDaemonCgroups(socket: string): Promise<void> {
  const base = daemonCgroupBase(socket);
  if (base === null || !fs.existsSync(base)) return;
  await waitFor(() => !populated(base), 5000, `${base} to empty`).catch(() => undefined);
  const remove = (d: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) if (e.isDirectory()) remove(path.join(d, e.name));
    try {
      fs.rmdirSync(d);
    } catch {
      // Still holds a process, or gone: left as it is.
    }
  };
  remove(base);
}
