// The cgroups of one daemon (cgroup mode): a leaf for itself, one per service, per post_stop and per transient run; limits, kills and removal.
import type { ServiceLimits } from '../config/types.js';
import { CgroupError } from '../errors/cgroup-errors.js';
import type { CgroupFs } from './ports.js';

/** The controllers a limit needs, enabled for our subtree where the parent offers them. */
export const LIMIT_CONTROLLERS = ['memory', 'pids', 'cpu'] as const;
export type LimitController = (typeof LIMIT_CONTROLLERS)[number];

export type LimitKey = 'memory_max' | 'memory_high' | 'pids_max' | 'cpu_weight' | 'cpu_max';

/** What became of a service's limits: the ones the kernel enforces, and the ones it cannot, each with why. */
export interface LimitReport {
  readonly enforced: readonly LimitKey[];
  readonly notEnforced: readonly { readonly key: LimitKey; readonly why: string }[];
}

export const NO_LIMIT_REPORT: LimitReport = { enforced: [], notEnforced: [] };

/** The directories a daemon makes in the cgroup it owns. */
export const LAYOUT_DIRS: readonly string[] = ['manager', 'services', 'post-stop', 'runs'];

/** Which processes a spawn is: the leaf it enters. */
export type LeafRole = 'main' | 'test' | 'post-stop' | 'run';

/** Tag names of transient runs (`run/<id>`) get a leaf under runs/. */
const RUN_PREFIX = 'run/';

interface Leaf {
  /** Processes spawned into it whose exit event has not come. */
  live: number;
  stopWatching: (() => void) | null;
}

interface LimitFile {
  readonly key: LimitKey;
  readonly controller: LimitController;
  readonly file: string;
  /** Whether the service file sets this limit. */
  readonly set: (l: ServiceLimits) => boolean;
  /** What goes in the file: the limit, or the kernel's default when it is unset. */
  readonly value: (l: ServiceLimits) => string;
}

const LIMIT_FILES: readonly LimitFile[] = [
  { key: 'memory_max', controller: 'memory', file: 'memory.max', set: (l) => l.memoryMax !== null, value: (l) => (l.memoryMax === null ? 'max' : String(l.memoryMax)) },
  { key: 'memory_high', controller: 'memory', file: 'memory.high', set: (l) => l.memoryHigh !== null, value: (l) => (l.memoryHigh === null ? 'max' : String(l.memoryHigh)) },
  { key: 'pids_max', controller: 'pids', file: 'pids.max', set: (l) => l.pidsMax !== null, value: (l) => (l.pidsMax === null ? 'max' : String(l.pidsMax)) },
  { key: 'cpu_weight', controller: 'cpu', file: 'cpu.weight', set: (l) => l.cpuWeight !== null, value: (l) => String(l.cpuWeight ?? 100) },
  { key: 'cpu_max', controller: 'cpu', file: 'cpu.max', set: (l) => l.cpuMax !== null, value: (l) => (l.cpuMax === null ? 'max 100000' : `${l.cpuMax.quotaUs} ${l.cpuMax.periodUs}`) },
];

/** The limit keys a service file sets, in file order. */
export function setLimitKeys(l: ServiceLimits): LimitKey[] {
  return LIMIT_FILES.filter((f) => f.set(l)).map((f) => f.key);
}

export interface CgroupLayoutOptions {
  readonly fs: CgroupFs;
  /** The directory this daemon owns: everything it makes is below it. */
  readonly base: string;
  readonly selfPid: number;
  /**
   * The cgroup the daemon came from, when base is a directory it made inside it (not the cgroup itself):
   * at exit the daemon goes back there and removes base.
   */
  readonly home?: string | null;
  /** A leaf that could not be removed (kept, and said once here); never thrown from a callback. */
  readonly onError?: (err: CgroupError) => void;
}

/**
 * base/manager holds the daemon (a cgroup with processes cannot hand controllers to its children, so the
 * daemon leaves base itself); base/services/NAME.service each service's main process and probes;
 * base/post-stop/NAME.service its post_stop, beside it as systemd keeps control processes apart;
 * base/runs/ID each transient run. A leaf exists while something runs in it and is removed once empty.
 */
export class CgroupLayout {
  private readonly fs: CgroupFs;
  readonly base: string;
  private readonly leaves = new Map<string, Leaf>();
  private enabled: ReadonlySet<string> = new Set();
  private offered: readonly string[] = [];

  constructor(private readonly opts: CgroupLayoutOptions) {
    this.fs = opts.fs;
    this.base = opts.base;
  }

  /**
   * A layout that only reports, for `check`: the controllers counted as enabled are `offered`, those a
   * daemon with its base at `dir` could enable. Nothing is made or moved.
   */
  static readOnly(fs: CgroupFs, dir: string, offered: readonly string[]): CgroupLayout {
    const layout = new CgroupLayout({ fs, base: dir, selfPid: 0 });
    layout.offered = offered;
    layout.enabled = new Set(LIMIT_CONTROLLERS.filter((c) => layout.offered.includes(c)));
    return layout;
  }

  get manager(): string {
    return `${this.base}/manager`;
  }

  /** The controllers enabled for the services' cgroups. */
  get controllers(): readonly string[] {
    return [...this.enabled];
  }

  /**
   * Makes the tree, moves the daemon (and whatever else sits in base: its own helpers) into manager/, and
   * enables every limit controller base is offered. Throws a CgroupError when the tree cannot be made or the
   * daemon cannot move.
   */
  setUp(): void {
    const { fs } = this;
    fs.mkdir(this.base);
    for (const d of [this.manager, `${this.base}/services`, `${this.base}/post-stop`, `${this.base}/runs`]) fs.mkdir(d);
    fs.write(`${this.manager}/cgroup.procs`, String(this.opts.selfPid));
    for (const pid of pidsOf(fs.read(`${this.base}/cgroup.procs`))) {
      try {
        fs.write(`${this.manager}/cgroup.procs`, String(pid));
      } catch (err) {
        // Gone meanwhile: nothing to move.
        if (!(err instanceof CgroupError && err.errno === 'ESRCH')) throw err;
      }
    }
    this.offered = words(fs.read(`${this.base}/cgroup.controllers`));
    const wanted = LIMIT_CONTROLLERS.filter((c) => this.offered.includes(c));
    const enabled = new Set<string>();
    for (const c of wanted) {
      try {
        fs.write(`${this.base}/cgroup.subtree_control`, `+${c}`);
        fs.write(`${this.base}/services/cgroup.subtree_control`, `+${c}`);
        enabled.add(c);
      } catch (err) {
        if (!(err instanceof CgroupError)) throw err;
      }
    }
    this.enabled = enabled;
  }

  /**
   * At exit: back to the cgroup the daemon came from, and base removed with whatever is empty in it, so a
   * daemon that made its own directory leaves none behind. Nothing is moved when base is the daemon's own
   * cgroup (the next daemon there reuses the tree). Returns whether base is gone.
   */
  tearDown(): boolean {
    const home = this.opts.home ?? null;
    if (home === null) return false;
    try {
      this.fs.write(`${home}/cgroup.procs`, String(this.opts.selfPid));
    } catch (err) {
      if (err instanceof CgroupError) return false;
      throw err;
    }
    // Nothing enters a leaf any more: whatever is empty goes, whatever a spawn counted.
    for (const l of this.leaves.values()) l.stopWatching?.();
    this.leaves.clear();
    try {
      this.removeEmptyLeaves();
      for (const d of [...LAYOUT_DIRS].reverse()) this.fs.rmdir(`${this.base}/${d}`);
      return this.fs.rmdir(this.base);
    } catch (err) {
      if (!(err instanceof CgroupError)) throw err;
      this.opts.onError?.(err);
      return false;
    }
  }

  /** Why `controller` cannot limit anything here, or null when it can. */
  whyNot(controller: LimitController): string | null {
    if (this.enabled.has(controller)) return null;
    const offered = this.offered.length > 0 ? this.offered.join(' ') : 'none';
    return `the ${controller} controller is not available in ${this.base} (its cgroup.controllers lists ${offered}); the parent cgroup must delegate it (systemd: Delegate=yes; a host with cgroup v1 controllers: boot with systemd.unified_cgroup_hierarchy=1)`;
  }

  /** What `limits` would become here: the keys set that the kernel enforces and those it cannot. */
  limitReport(limits: ServiceLimits): LimitReport {
    const enforced: LimitKey[] = [];
    const notEnforced: { key: LimitKey; why: string }[] = [];
    for (const f of LIMIT_FILES) {
      if (!f.set(limits)) continue;
      const why = this.whyNot(f.controller);
      if (why === null) enforced.push(f.key);
      else notEnforced.push({ key: f.key, why });
    }
    return { enforced, notEnforced };
  }

  /** The leaf a process of `service` (a service name, or a run's tag name `run/<id>`) enters in this role. */
  leafFor(service: string, role: LeafRole): string {
    if (service.startsWith(RUN_PREFIX)) return `${this.base}/runs/${service.slice(RUN_PREFIX.length)}`;
    return role === 'post-stop' ? `${this.base}/post-stop/${service}.service` : this.serviceLeaf(service);
  }

  serviceLeaf(service: string): string {
    return `${this.base}/services/${service}.service`;
  }

  /**
   * Makes ready the leaf a process is about to enter and counts it; a service's leaf gets the limits (every
   * limit file is written each time, so a changed service file leaves nothing of the old values). Returns
   * the cgroup.procs file the process writes its pid to. Throws a CgroupError when the leaf cannot be made.
   */
  enter(leaf: string, limits: ServiceLimits | null): string {
    this.fs.mkdir(leaf);
    let l = this.leaves.get(leaf);
    if (!l) {
      l = { live: 0, stopWatching: null };
      this.leaves.set(leaf, l);
    }
    try {
      if (limits !== null) this.applyLimits(leaf, limits);
    } catch (err) {
      // Nothing enters: the leaf goes again if nothing else is in it.
      this.removeIfIdle(leaf);
      throw err;
    }
    l.live++;
    return `${leaf}/cgroup.procs`;
  }

  /** A process that entered `leaf` has exited: the leaf goes once nothing else runs in it. */
  exited(leaf: string): void {
    const l = this.leaves.get(leaf);
    if (!l) return;
    l.live = Math.max(0, l.live - 1);
    this.removeIfIdle(leaf);
  }

  /** Every pid in `leaf` and the cgroups below it (a root service may have made some). */
  members(leaf: string): number[] {
    const out = pidsOf(this.fs.read(`${leaf}/cgroup.procs`));
    for (const child of this.fs.children(leaf)) out.push(...this.members(`${leaf}/${child}`));
    return out;
  }

  /** `populated 1` in cgroup.events: some process lives in the leaf or below it. */
  populated(leaf: string): boolean {
    return /^populated 1$/m.test(this.fs.read(`${leaf}/cgroup.events`) ?? '');
  }

  /** SIGKILL to every process in the leaf and below, by the kernel (cgroup.kill); false when the kernel has no cgroup.kill (before 5.14). */
  kill(leaf: string): boolean {
    try {
      this.fs.write(`${leaf}/cgroup.kill`, '1');
      return true;
    } catch (err) {
      if (err instanceof CgroupError && err.errno === 'ENOENT') return false;
      throw err;
    }
  }

  /** Calls `fn` when the leaf's population changes (inotify on cgroup.events). */
  watch(leaf: string, fn: () => void): () => void {
    return this.fs.watch(`${leaf}/cgroup.events`, fn);
  }

  /** OOM kills the kernel counted in the leaf (memory.events `oom_kill`); null without the memory controller. */
  oomKills(leaf: string): number | null {
    const m = /^oom_kill (\d+)$/m.exec(this.fs.read(`${leaf}/memory.events`) ?? '');
    return m ? Number(m[1]) : null;
  }

  /** memory.current in bytes and cpu.stat's usage_usec, where the kernel has them. */
  usage(leaf: string): { readonly memoryBytes: number | null; readonly cpuUsec: number | null } {
    const mem = this.fs.read(`${leaf}/memory.current`);
    const cpu = /^usage_usec (\d+)$/m.exec(this.fs.read(`${leaf}/cpu.stat`) ?? '');
    return { memoryBytes: mem === null || mem.trim() === '' ? null : Number(mem.trim()), cpuUsec: cpu ? Number(cpu[1]) : null };
  }

  /** Every leaf under base (not manager) that holds processes: a previous daemon's, or ours at the sweep. */
  populatedLeaves(): string[] {
    const out: string[] = [];
    for (const dir of ['services', 'post-stop', 'runs']) {
      for (const name of this.fs.children(`${this.base}/${dir}`)) {
        const leaf = `${this.base}/${dir}/${name}`;
        if (this.populated(leaf)) out.push(leaf);
      }
    }
    return out;
  }

  /** Removes every empty leaf nothing of ours is entering (what a previous daemon left, once killed). */
  removeEmptyLeaves(): string[] {
    const removed: string[] = [];
    for (const dir of ['services', 'post-stop', 'runs']) {
      for (const name of this.fs.children(`${this.base}/${dir}`)) {
        const leaf = `${this.base}/${dir}/${name}`;
        if ((this.leaves.get(leaf)?.live ?? 0) > 0) continue;
        if (this.removeTree(leaf)) removed.push(leaf);
      }
    }
    return removed;
  }

  private applyLimits(leaf: string, limits: ServiceLimits): void {
    for (const f of LIMIT_FILES) {
      if (!this.enabled.has(f.controller)) continue;
      this.fs.write(`${leaf}/${f.file}`, f.value(limits));
    }
  }

  /** Never throws: it runs from exit events and inotify callbacks, where an exception would end the daemon. */
  private removeIfIdle(leaf: string): void {
    const l = this.leaves.get(leaf);
    if (!l || l.live > 0) return;
    try {
      if (!this.populated(leaf) && this.removeTree(leaf)) {
        l.stopWatching?.();
        this.leaves.delete(leaf);
        return;
      }
      // Still holds processes that outlived ours (a double-forked daemon): removed when the last one dies.
      if (l.stopWatching === null) {
        l.stopWatching = this.watch(leaf, () => this.removeIfIdle(leaf));
        // The last one may have died between the look above and the watch: look once more, now watched.
        if (!this.populated(leaf)) this.removeIfIdle(leaf);
      }
    } catch (err) {
      if (!(err instanceof CgroupError)) throw err;
      this.opts.onError?.(err);
    }
  }

  /** rmdir of the leaf and of any cgroups a service made below it, deepest first. */
  private removeTree(dir: string): boolean {
    for (const child of this.fs.children(dir)) this.removeTree(`${dir}/${child}`);
    return this.fs.rmdir(dir);
  }
}

function pidsOf(text: string | null): number[] {
  return words(text)
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
}

function words(text: string | null): string[] {
  return (text ?? '').split(/\s+/).filter(Boolean);
}
