// Host-side identities (pid and start time) of processes inside a child PID namespace, to check /proc for them later.
import fs from 'node:fs';
import type { TreeNode } from '../../src/supervisor/process-tree.js';

export interface HostIdentity {
  readonly nsPid: number;
  readonly hostPid: number;
  readonly startTime: string;
}

function statOf(pid: number | string): string[] | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** The host pids of `nsPids` in the namespace `unshare --fork` (host pid given) made for its child; one walk of /proc. */
export function hostIdentities(unsharePid: number, nsPids: readonly number[]): HostIdentity[] {
  const ns = fs.readlinkSync(`/proc/${unsharePid}/ns/pid_for_children`);
  const wanted = new Set(nsPids);
  const out: HostIdentity[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (fs.readlinkSync(`/proc/${d}/ns/pid`) !== ns) continue;
      const line = fs.readFileSync(`/proc/${d}/status`, 'utf8').split('\n').find((l) => l.startsWith('NSpid:')) ?? '';
      const nsPid = Number(line.split(/\s+/).filter(Boolean).at(-1));
      const st = statOf(d);
      if (wanted.has(nsPid) && st) out.push({ nsPid, hostPid: Number(d), startTime: st[19] ?? '' });
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

/** Those still alive and still the same process (a zombie is not alive). */
export function stillAlive(ids: readonly HostIdentity[]): HostIdentity[] {
  return ids.filter((id) => {
    const st = statOf(id.hostPid);
    return st !== null && st[19] === id.startTime && st[0] !== 'Z' && st[0] !== 'X';
  });
}

/** Every pid of a `tree --json` forest. */
export function treePids(nodes: readonly TreeNode[]): number[] {
  return nodes.flatMap((n) => [n.pid, ...treePids(n.children)]);
}
