// A service's processes in cgroup mode: the kernel's membership of its leaf (cgroup.procs), not a walk of /proc.
import { CgroupError } from '../errors/cgroup-errors.js';
import type { CgroupLayout } from '../supervisor/cgroup-layout.js';
import type { Look, TrackedProcess } from '../supervisor/ports.js';
import { readStat, type ProcStat } from './proc.js';
import { ProcessTable, type ProcessTableOptions } from './process-table.js';

export interface CgroupTableOptions extends ProcessTableOptions {
  readonly layout: CgroupLayout;
}

/**
 * Membership comes from the service's leaf, so a process that cleared its environment and double-forked is
 * found like any other: a process cannot leave its cgroup on its own. The leaf's `populated` flag says when
 * the last one is gone (watch), and cgroup.kill reaches everything in it at once (killAll). What is not a
 * service's (the daemon's own children, the final sweep, a previous daemon's tagged processes) is still
 * found as ProcessTable finds it.
 */
export class CgroupTable extends ProcessTable {
  readonly layout: CgroupLayout;
  private readonly procRoot: string;

  constructor(opts: CgroupTableOptions) {
    super(opts);
    this.layout = opts.layout;
    this.procRoot = opts.root ?? '/proc';
  }

  // Either the last process's exit is a child event of ours or the leaf's populated flag flips: no poll is needed.
  override get subtree(): boolean {
    return true;
  }

  override find(service: string, mainPid: number | null): TrackedProcess[] {
    return quietly(() => this.membersOf(this.layout.leafFor(service, 'main'), mainPid), []);
  }

  override findFresh(service: string, mainPid: number | null): Promise<TrackedProcess[]> {
    return Promise.resolve(this.find(service, mainPid));
  }

  // cgroup.procs is read when asked: it is the kernel's list at that moment, whatever ran before.
  override lookFresh(service: string, mainPid: number | null): Promise<Look> {
    const leaf = this.layout.leafFor(service, 'main');
    // A leaf that cannot be read cannot show the service gone: the stop waits for the next event or its deadline.
    const look = quietly((): Look => {
      const procs = this.membersOf(leaf, mainPid);
      // An empty list while the leaf is still populated: a process between fork and its first listing.
      return { procs, settled: procs.length > 0 || !this.layout.populated(leaf) };
    }, { procs: [], settled: false });
    return Promise.resolve(look);
  }

  /** Calls `fn` when the service's leaf gains its first process or loses its last. */
  watch(service: string, fn: () => void): () => void {
    return quietly(() => this.layout.watch(this.layout.leafFor(service, 'main'), fn), () => undefined);
  }

  /** SIGKILL to every process in the service's leaf, by the kernel; false without cgroup.kill. */
  killAll(service: string): boolean {
    return quietly(() => this.layout.kill(this.layout.leafFor(service, 'main')), false);
  }

  usage(service: string): { readonly memoryBytes: number | null; readonly cpuUsec: number | null } {
    return quietly(() => this.layout.usage(this.layout.leafFor(service, 'main')), { memoryBytes: null, cpuUsec: null });
  }

  /** Everything ProcessTable counts as ours, and every process in one of our leaves. */
  override ours(): TrackedProcess[] {
    const out = new Map(super.ours().map((p) => [p.pid, p]));
    for (const leaf of quietly(() => this.layout.populatedLeaves(), [])) for (const p of quietly(() => this.membersOf(leaf, null), [])) if (!out.has(p.pid)) out.set(p.pid, p);
    return [...out.values()];
  }

  /** Every live process in `leaf` and below. */
  membersOfLeaf(leaf: string): TrackedProcess[] {
    return quietly(() => this.membersOf(leaf, null), []);
  }

  private membersOf(leaf: string, mainPid: number | null): TrackedProcess[] {
    const stats = new Map<number, ProcStat>();
    for (const pid of this.layout.members(leaf)) {
      const s = readStat(pid, this.procRoot);
      // A 'Z' listed here is a thread group whose leader exited while other threads run: the kernel lists only
      // live groups, and a signal to its pid still reaches those threads, so it counts as alive.
      if (s && s.state !== 'X') stats.set(pid, s);
    }
    const main = mainPid !== null && mainPid > 0 ? mainPid : null;
    return [...stats.values()].map((s) => {
      const underMain = main !== null && (s.pid === main || descendsWithin(stats, s.pid, main));
      const inTree = underMain || (main !== null && (s.pgrp === main || s.session === main));
      return { pid: s.pid, startTime: s.starttime, ppid: s.ppid, pgrp: s.pgrp, session: s.session, comm: s.comm, state: s.state, escaped: !inTree, underMain };
    });
  }
}

/**
 * These run in the stop's callbacks, timers and the sweep, where a throw would end the daemon: a cgroup file
 * the kernel refuses (a leaf gone or made threaded by a root service) gives `fallback` instead.
 */
function quietly<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof CgroupError) return fallback;
    throw err;
  }
}

function descendsWithin(stats: ReadonlyMap<number, ProcStat>, pid: number, ancestor: number): boolean {
  let cur = stats.get(pid)?.ppid;
  for (let hops = 0; cur !== undefined && hops < 4096; hops++) {
    if (cur === ancestor) return true;
    cur = stats.get(cur)?.ppid;
  }
  return false;
}
