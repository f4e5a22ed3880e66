// Finds a service's processes in /proc (group, session, descendants, tag) and signals only processes that are still the same.
import { listPids, readEnviron, readStat, type ProcStat } from './proc.js';
import { TAG_DOMAIN, TAG_INSTANCE, TAG_SERVICE, type DaemonTag } from './process-tag.js';
import type { ProcessTablePort, TrackedProcess } from '../supervisor/ports.js';
import { signalQuietly } from './spawn.js';

interface Entry {
  readonly stat: ProcStat;
  readonly service: string | null;
  readonly instance: string | null;
  readonly domain: string | null;
}

export interface Snapshot {
  readonly at: number;
  readonly byPid: ReadonlyMap<number, Entry>;
}

export interface ProcessTableOptions {
  readonly tag: DaemonTag;
  readonly root?: string;
  /** A scan younger than this is reused: many services stopping at once share one walk of /proc. */
  readonly maxAgeMs?: number;
  readonly selfPid?: number;
  /**
   * 'full' (default): group, session, descendants and the environment tag, plus the final sweep.
   * 'group': only the main process's group, session and descendants, no tag and no sweep: how
   * managers that signal process groups behave; a diagnostic to compare against, never a setting.
   */
  readonly discovery?: 'full' | 'group';
}

export class ProcessTable implements ProcessTablePort {
  private snap: Snapshot | null = null;
  // environ is read once per process: pid + start time names one process for its whole life.
  private readonly tagCache = new Map<string, Pick<Entry, 'service' | 'instance' | 'domain'>>();
  private readonly root: string;
  private readonly selfPid: number;

  private get full(): boolean {
    return this.opts.discovery !== 'group';
  }

  constructor(private readonly opts: ProcessTableOptions) {
    this.root = opts.root ?? '/proc';
    this.selfPid = opts.selfPid ?? process.pid;
  }

  scan(maxAgeMs = this.opts.maxAgeMs ?? 10): Snapshot {
    if (this.snap && maxAgeMs >= 0 && performance.now() - this.snap.at <= maxAgeMs) return this.snap;
    const byPid = new Map<number, Entry>();
    const live = new Set<string>();
    for (const pid of listPids(this.root)) {
      if (pid === this.selfPid) continue;
      const stat = readStat(pid, this.root);
      if (!stat || stat.state === 'Z' || stat.state === 'X') continue;
      const key = `${pid}:${stat.starttime}`;
      live.add(key);
      let tag = this.tagCache.get(key);
      if (!tag) {
        const env = readEnviron(pid, this.root);
        tag = { service: env?.get(TAG_SERVICE) ?? null, instance: env?.get(TAG_INSTANCE) ?? null, domain: env?.get(TAG_DOMAIN) ?? null };
        // Kernel threads and unreadable processes have no environ; not worth caching.
        if (env) this.tagCache.set(key, tag);
      }
      byPid.set(pid, { stat, ...tag });
    }
    for (const key of this.tagCache.keys()) if (!live.has(key)) this.tagCache.delete(key);
    // Stamped when the walk ends: a walk of thousands of processes takes longer than the reuse window.
    this.snap = { at: performance.now(), byPid };
    return this.snap;
  }

  private pending: ((snap: Snapshot) => void)[] = [];

  findFresh(service: string, mainPid: number | null): Promise<TrackedProcess[]> {
    return new Promise((resolve) => {
      this.pending.push((snap) => resolve(this.findIn(snap, service, mainPid)));
      // One walk per turn of the event loop, begun after every request of that turn was made.
      if (this.pending.length === 1)
        setImmediate(() => {
          const waiting = this.pending;
          this.pending = [];
          const snap = this.scan(-1);
          for (const done of waiting) done(snap);
        });
    });
  }

  find(service: string, mainPid: number | null): TrackedProcess[] {
    return this.findIn(this.scan(), service, mainPid);
  }

  private findIn({ byPid }: Snapshot, service: string, mainPid: number | null): TrackedProcess[] {
    const out: TrackedProcess[] = [];
    for (const e of byPid.values()) {
      const s = e.stat;
      const inTree = mainPid !== null && mainPid > 0 && (s.pid === mainPid || s.pgrp === mainPid || s.session === mainPid || descends(byPid, s.pid, mainPid));
      const tagged = this.full && e.service === service && e.instance === this.opts.tag.instance;
      if (inTree || tagged) out.push(track(s, !inTree));
    }
    return out;
  }

  /** Everything tagged by this daemon instance, and every descendant of this process. */
  ours(): TrackedProcess[] {
    if (!this.full) return [];
    const { byPid } = this.scan(-1);
    const out: TrackedProcess[] = [];
    for (const e of byPid.values()) {
      const tagged = e.instance === this.opts.tag.instance;
      if (tagged || descends(byPid, e.stat.pid, this.selfPid)) out.push(track(e.stat, false));
    }
    return out;
  }

  /** Processes a previous daemon on the same socket left behind: tagged with our domain but another instance. */
  leftovers(): (TrackedProcess & { service: string; instance: string })[] {
    if (!this.full) return [];
    const { byPid } = this.scan(-1);
    const out: (TrackedProcess & { service: string; instance: string })[] = [];
    for (const e of byPid.values()) {
      if (e.domain !== this.opts.tag.domain || e.instance === null || e.instance === this.opts.tag.instance) continue;
      out.push({ ...track(e.stat, false), service: e.service ?? '?', instance: e.instance });
    }
    return out;
  }

  /** Every process but this one, for the final sweep as PID 1: the whole namespace is ours. */
  everything(): TrackedProcess[] {
    if (!this.full) return [];
    const { byPid } = this.scan(-1);
    return [...byPid.values()].map((e) => track(e.stat, false));
  }

  alive(procs: readonly TrackedProcess[]): TrackedProcess[] {
    return procs.filter((p) => {
      const s = readStat(p.pid, this.root);
      return s !== null && s.starttime === p.startTime && s.state !== 'Z' && s.state !== 'X';
    });
  }

  signal(procs: readonly TrackedProcess[], signal: NodeJS.Signals): number {
    let n = 0;
    for (const p of procs) {
      // Checked again right before the signal: a pid reused by an unrelated process must never be hit.
      const s = readStat(p.pid, this.root);
      if (!s || s.starttime !== p.startTime) continue;
      if (signalQuietly(p.pid, signal)) n++;
    }
    return n;
  }
}

function track(s: ProcStat, escaped: boolean): TrackedProcess {
  return { pid: s.pid, startTime: s.starttime, ppid: s.ppid, pgrp: s.pgrp, session: s.session, comm: s.comm, state: s.state, escaped };
}

function descends(byPid: ReadonlyMap<number, Entry>, pid: number, ancestor: number): boolean {
  let cur = byPid.get(pid)?.stat.ppid;
  for (let hops = 0; cur !== undefined && cur > 1 && hops < 4096; hops++) {
    if (cur === ancestor) return true;
    cur = byPid.get(cur)?.stat.ppid;
  }
  return cur === ancestor;
}
