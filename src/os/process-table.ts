// Finds a service's processes in /proc (group, session, descendants, tag) and signals only processes that are still the same.
import { listPids, readEnvironValues, readStat, type ProcStat, type Unread } from './proc.js';
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
  /** Reads the tag variables of a process's environment (default: /proc/<pid>/environ under `root`); for tests. */
  readonly readEnviron?: (pid: number) => ReadonlyMap<string, string> | Unread;
  /** Monotonic milliseconds (default performance.now); for tests. */
  readonly now?: () => number;
}

type Tag = Pick<Entry, 'service' | 'instance' | 'domain'>;

interface CachedTag {
  readonly starttime: number;
  readonly tag: Tag;
  /** When to read environ again, on the table's clock; Infinity for the life of the process. */
  readonly recheckAt: number;
}

const NO_TAG: Tag = { service: null, instance: null, domain: null };
const TAG_NAMES = [TAG_SERVICE, TAG_INSTANCE, TAG_DOMAIN] as const;
/** A process we may not inspect now may become readable (a setuid child before its exec): looked at again after this. */
const DENIED_RECHECK_MS = 1000;

export class ProcessTable implements ProcessTablePort {
  private snap: Snapshot | null = null;
  // environ is read once per process: pid + start time names one process for its whole life. Entries of
  // processes gone from /proc are dropped by the next scan, so the cache holds what is alive, nothing per run.
  private readonly tagCache = new Map<number, CachedTag>();
  private readonly root: string;
  private readonly selfPid: number;
  private readonly now: () => number;
  private readonly readEnviron: (pid: number) => ReadonlyMap<string, string> | Unread;

  private get full(): boolean {
    return this.opts.discovery !== 'group';
  }

  constructor(private readonly opts: ProcessTableOptions) {
    this.root = opts.root ?? '/proc';
    this.selfPid = opts.selfPid ?? process.pid;
    this.now = opts.now ?? (() => performance.now());
    this.readEnviron = opts.readEnviron ?? ((pid) => readEnvironValues(pid, TAG_NAMES, this.root));
  }

  /** Processes whose environ tag is remembered (the live ones seen by the last scan). */
  get cachedTags(): number {
    return this.tagCache.size;
  }

  scan(maxAgeMs = this.opts.maxAgeMs ?? 10): Snapshot {
    const now = this.now();
    if (this.snap && maxAgeMs >= 0 && now - this.snap.at <= maxAgeMs) return this.snap;
    const byPid = new Map<number, Entry>();
    for (const pid of listPids(this.root)) {
      if (pid === this.selfPid) continue;
      const stat = readStat(pid, this.root);
      if (!stat || stat.state === 'Z' || stat.state === 'X') continue;
      let cached = this.tagCache.get(pid);
      if (cached === undefined || cached.starttime !== stat.starttime || cached.recheckAt <= now) {
        cached = this.readTag(pid, stat.starttime, now);
        this.tagCache.set(pid, cached);
      }
      const { tag } = cached;
      byPid.set(pid, { stat, service: tag.service, instance: tag.instance, domain: tag.domain });
    }
    for (const pid of this.tagCache.keys()) if (!byPid.has(pid)) this.tagCache.delete(pid);
    // Stamped when the walk ends: a walk of thousands of processes takes longer than the reuse window.
    this.snap = { at: this.now(), byPid };
    return this.snap;
  }

  private readTag(pid: number, starttime: number, now: number): CachedTag {
    const env = this.readEnviron(pid);
    // Gone while its stat was readable: a kernel thread (no memory, so no environ ever) or a process exiting.
    if (env === 'gone') return { starttime, tag: NO_TAG, recheckAt: Infinity };
    if (env === 'denied') return { starttime, tag: NO_TAG, recheckAt: now + DENIED_RECHECK_MS };
    const tag = { service: env.get(TAG_SERVICE) ?? null, instance: env.get(TAG_INSTANCE) ?? null, domain: env.get(TAG_DOMAIN) ?? null };
    return { starttime, tag: tag.service === null && tag.instance === null && tag.domain === null ? NO_TAG : tag, recheckAt: Infinity };
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
