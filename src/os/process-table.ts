// Finds a service's processes in /proc (group, session, descendants, tag) and signals only processes that are still the same.
import { listPids, readChildren, readEnvironValues, readStat, type ProcStat } from './proc.js';
import { TAG_SOCKET, TAG_INSTANCE, TAG_SERVICE, type DaemonTag } from './process-tag.js';
import type { Look, ProcessTablePort, TrackedProcess } from '../supervisor/ports.js';
import { signalQuietly } from './spawn.js';

interface Tag {
  readonly service: string | null;
  readonly instance: string | null;
  readonly domain: string | null;
}

interface Entry {
  readonly stat: ProcStat;
  /** In a subtree walk: the direct child of this process that `stat.pid` descends from (itself for a direct child). */
  readonly top: number | null;
}

export interface Snapshot {
  readonly at: number;
  readonly byPid: ReadonlyMap<number, Entry>;
  /** See Look.settled: false when the walk met a child of ours that had exited and was not yet reaped. */
  readonly settled: boolean;
}

/** A subtree snapshot arranged for lookups: each direct child's subtree, groups and sessions, direct children by tag. */
interface Index {
  readonly byTop: ReadonlyMap<number, readonly Entry[]>;
  readonly byGroup: ReadonlyMap<number, readonly Entry[]>;
  readonly bySession: ReadonlyMap<number, readonly Entry[]>;
  /** Direct children by the service of their tag (ours only); those without a tag of ours under null. */
  readonly topsByService: ReadonlyMap<string | null, readonly number[]>;
}

export interface ProcessTableOptions {
  readonly tag: DaemonTag;
  readonly root?: string;
  /** A scan younger than this is reused: many services stopping at once share one walk of /proc. */
  readonly maxAgeMs?: number;
  readonly selfPid?: number;
  /**
   * 'subtree': this process is PID 1 or a child subreaper, so every process it ever started (double-forked
   * escapees included: orphans are reparented to the nearest subreaper) descends from it. A scan walks that
   * subtree through /proc/<pid>/task/<tid>/children and costs what our own processes cost, whatever the host
   * runs. 'host' (default): every pid in /proc, for when orphans may leave to another init.
   */
  readonly scope?: 'subtree' | 'host';
  /**
   * 'full' (default): group, session, descendants and the environment tag.
   * 'group': the environment tag is never read, so only the main process's group, session and
   * descendants are found (how managers that signal process groups behave), and no leftover of a
   * previous daemon is recognised; the sweep still runs. A diagnostic to compare against, never a setting.
   */
  readonly discovery?: 'full' | 'group';
}

const TAG_NAMES = [TAG_SERVICE, TAG_INSTANCE, TAG_SOCKET] as const;
const NO_TAG: Tag = { service: null, instance: null, domain: null };

export class ProcessTable implements ProcessTablePort {
  private snap: Snapshot | null = null;
  // environ is read once per process: pid + start time names one process for its whole life.
  private readonly tagCache = new Map<string, Tag>();
  private readonly root: string;
  private readonly selfPid: number;
  private pending: ((snap: Snapshot) => void)[] = [];
  private readonly indexes = new WeakMap<Snapshot, Index>();
  /** Direct children of ours that the last subtree walk found exited and unreaped. */
  private zombies = new Set<string>();

  private get full(): boolean {
    return this.opts.discovery !== 'group';
  }

  get subtree(): boolean {
    return this.opts.scope === 'subtree';
  }

  constructor(private readonly opts: ProcessTableOptions) {
    this.root = opts.root ?? '/proc';
    this.selfPid = opts.selfPid ?? process.pid;
  }

  scan(maxAgeMs = this.opts.maxAgeMs ?? 10): Snapshot {
    if (this.snap && maxAgeMs >= 0 && performance.now() - this.snap.at <= maxAgeMs) return this.snap;
    const walk = this.subtree ? this.walkSubtree() : { byPid: this.walkHost(), settled: true };
    const live = new Set<string>();
    for (const e of walk.byPid.values()) live.add(key(e.stat));
    for (const k of this.tagCache.keys()) if (!live.has(k)) this.tagCache.delete(k);
    // Stamped when the walk ends: a walk of thousands of processes takes longer than the reuse window.
    this.snap = { at: performance.now(), ...walk };
    return this.snap;
  }

  findFresh(service: string, mainPid: number | null): Promise<TrackedProcess[]> {
    return this.lookFresh(service, mainPid).then((look) => look.procs);
  }

  lookFresh(service: string, mainPid: number | null): Promise<Look> {
    return new Promise((resolve) => {
      this.pending.push((snap) => resolve({ procs: this.findIn(snap, service, mainPid), settled: snap.settled }));
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

  /** Everything tagged by this daemon instance, and every descendant of this process. */
  ours(): TrackedProcess[] {
    const { byPid } = this.scan(-1);
    const out: TrackedProcess[] = [];
    for (const e of byPid.values()) {
      // In a subtree walk every entry descends from this process.
      if (this.subtree || descends(byPid, e.stat.pid, this.selfPid) || this.readTag(e.stat).instance === this.opts.tag.instance) out.push(track(e.stat, false, false));
    }
    return out;
  }

  /** Processes a previous daemon on the same socket left behind: tagged with our domain but another instance. */
  leftovers(): (TrackedProcess & { service: string; instance: string })[] {
    // Not our descendants: they were reparented to whoever adopted them when that daemon died. A walk of
    // the whole of /proc, once, at start.
    const out: (TrackedProcess & { service: string; instance: string })[] = [];
    for (const e of this.walkHost().values()) {
      // Not cached: these are the host's processes, not ours, and the cache is for what the stops walk.
      const t = this.readTag(e.stat, false);
      if (t.domain !== this.opts.tag.domain || t.instance === null || t.instance === this.opts.tag.instance) continue;
      out.push({ ...track(e.stat, false, false), service: t.service ?? '?', instance: t.instance });
    }
    return out;
  }

  /** Every process but this one, for the final sweep as PID 1: the whole namespace is ours. */
  everything(): TrackedProcess[] {
    return [...this.walkHost().values()].map((e) => track(e.stat, false, false));
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

  private findIn(snap: Snapshot, service: string, mainPid: number | null): TrackedProcess[] {
    return this.subtree ? this.findInSubtree(snap, service, mainPid) : this.findInHost(snap, service, mainPid);
  }

  /**
   * What a host walk finds, from the index: under the main process (a direct child of ours, so its subtree is
   * everything that descends from it), in its group or session, or under a direct child tagged for the service.
   * Costs what the service's own processes cost, however many services share the snapshot.
   */
  private findInSubtree(snap: Snapshot, service: string, mainPid: number | null): TrackedProcess[] {
    const ix = this.index(snap);
    const main = mainPid !== null && mainPid > 0 ? mainPid : null;
    const out = new Map<number, TrackedProcess>();
    // Spawned here, a main process is a direct child of ours; anything else is placed the long way.
    if (main !== null && snap.byPid.has(main) && !ix.byTop.has(main)) return this.findInHost(snap, service, mainPid);
    if (main !== null) {
      for (const e of ix.byTop.get(main) ?? []) out.set(e.stat.pid, track(e.stat, false, true));
      for (const e of [...(ix.byGroup.get(main) ?? []), ...(ix.bySession.get(main) ?? [])]) if (!out.has(e.stat.pid)) out.set(e.stat.pid, track(e.stat, false, false));
    }
    const add = (e: Entry): void => {
      if (!out.has(e.stat.pid)) out.set(e.stat.pid, track(e.stat, true, false));
    };
    for (const top of ix.topsByService.get(service) ?? []) for (const e of ix.byTop.get(top) ?? []) add(e);
    // Below a direct child without a tag of ours, each process speaks for itself.
    for (const top of ix.topsByService.get(null) ?? [])
      for (const e of ix.byTop.get(top) ?? []) if (e.stat.pid !== top && isTagged(this.readTag(e.stat), service, this.opts.tag.instance)) add(e);
    return [...out.values()];
  }

  private index(snap: Snapshot): Index {
    const known = this.indexes.get(snap);
    if (known) return known;
    const byTop = new Map<number, Entry[]>();
    const byGroup = new Map<number, Entry[]>();
    const bySession = new Map<number, Entry[]>();
    const push = (m: Map<number, Entry[]>, k: number, e: Entry): void => {
      const list = m.get(k);
      if (list) list.push(e);
      else m.set(k, [e]);
    };
    for (const e of snap.byPid.values()) {
      if (e.top !== null) push(byTop, e.top, e);
      push(byGroup, e.stat.pgrp, e);
      push(bySession, e.stat.session, e);
    }
    const topsByService = new Map<string | null, number[]>();
    for (const top of byTop.keys()) {
      const entry = snap.byPid.get(top);
      const tag = entry ? this.readTag(entry.stat) : null;
      const service = tag !== null && tag.instance === this.opts.tag.instance ? tag.service : null;
      const list = topsByService.get(service);
      if (list) list.push(top);
      else topsByService.set(service, [top]);
    }
    const ix = { byTop, byGroup, bySession, topsByService };
    this.indexes.set(snap, ix);
    return ix;
  }

  private findInHost({ byPid }: Snapshot, service: string, mainPid: number | null): TrackedProcess[] {
    const out: TrackedProcess[] = [];
    const main = mainPid !== null && mainPid > 0 ? mainPid : null;
    for (const e of byPid.values()) {
      const s = e.stat;
      const underMain = main !== null && (s.pid === main || descends(byPid, s.pid, main));
      const inTree = underMain || (main !== null && (s.pgrp === main || s.session === main));
      // The tag is read only for what the tree cannot place.
      const tagged = !inTree && isTagged(this.readTag(e.stat), service, this.opts.tag.instance);
      if (inTree || tagged) out.push(track(s, !inTree, underMain));
    }
    return out;
  }

  // The one place the tag is read: with discovery 'group' no process has one.
  private readTag(s: ProcStat, cache = true): Tag {
    if (!this.full) return NO_TAG;
    const k = key(s);
    const known = this.tagCache.get(k);
    if (known) return known;
    // Only the three tag variables are taken from the raw bytes: no map of the whole environment per process.
    const env = readEnvironValues(s.pid, TAG_NAMES, this.root);
    const readable = typeof env !== 'string';
    const tag = readable ? { service: env.get(TAG_SERVICE) ?? null, instance: env.get(TAG_INSTANCE) ?? null, domain: env.get(TAG_SOCKET) ?? null } : NO_TAG;
    // Kernel threads and unreadable processes have no environ; not worth caching.
    if (readable && cache) this.tagCache.set(k, tag);
    return tag;
  }

  private walkHost(): Map<number, Entry> {
    const byPid = new Map<number, Entry>();
    for (const pid of listPids(this.root)) {
      if (pid === this.selfPid) continue;
      const stat = readStat(pid, this.root);
      if (stat && stat.state !== 'Z' && stat.state !== 'X') byPid.set(pid, { stat, top: null });
    }
    return byPid;
  }

  private walkSubtree(): { byPid: Map<number, Entry>; settled: boolean } {
    const byPid = new Map<number, Entry>();
    const direct = readChildren(this.selfPid, 0, this.root) ?? [];
    const queue: { pid: number; top: number }[] = direct.map((pid) => ({ pid, top: pid }));
    let settled = true;
    const zombies = new Set<string>();
    // Index, not shift(): the queue holds every process of ours.
    for (let i = 0; i < queue.length; i++) {
      const item = queue[i];
      if (item === undefined || byPid.has(item.pid)) continue;
      const stat = readStat(item.pid, this.root);
      if (!stat || stat.state === 'Z' || stat.state === 'X') {
        // A child of ours that exited during the walk may have handed us its children after our own list was
        // read: they are missing from this walk. One already dead at the last walk handed them over before
        // this one began (and one never reaped, with the reaper off, must not hold every stop forever).
        if (stat && i < direct.length) {
          zombies.add(key(stat));
          if (!this.zombies.has(key(stat))) settled = false;
        }
        continue;
      }
      byPid.set(item.pid, { stat, top: item.top });
      for (const child of readChildren(item.pid, stat.numThreads, this.root) ?? []) queue.push({ pid: child, top: item.top });
    }
    this.zombies = zombies;
    return { byPid, settled };
  }
}

function key(s: ProcStat): string {
  return `${s.pid}:${s.starttime}`;
}

function isTagged(t: Tag, service: string, instance: string): boolean {
  return t.service === service && t.instance === instance;
}

function track(s: ProcStat, escaped: boolean, underMain: boolean): TrackedProcess {
  return { pid: s.pid, startTime: s.starttime, ppid: s.ppid, pgrp: s.pgrp, session: s.session, comm: s.comm, state: s.state, escaped, underMain };
}

function descends(byPid: ReadonlyMap<number, Entry>, pid: number, ancestor: number): boolean {
  let cur = byPid.get(pid)?.stat.ppid;
  for (let hops = 0; cur !== undefined && cur > 1 && hops < 4096; hops++) {
    if (cur === ancestor) return true;
    cur = byPid.get(cur)?.stat.ppid;
  }
  return cur === ancestor;
}
