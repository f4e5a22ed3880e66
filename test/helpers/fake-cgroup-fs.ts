// A cgroup v2 tree in memory that keeps the kernel's rules the layout depends on, and records every write.
import { CgroupError } from '../../src/errors/cgroup-errors.js';
import type { CgroupFs } from '../../src/supervisor/ports.js';

interface Dir {
  readonly procs: Set<number>;
  readonly subtree: Set<string>;
  readonly files: Map<string, string>;
}

const LIMIT_FILES: Readonly<Record<string, string>> = {
  'memory.max': 'max',
  'memory.high': 'max',
  'memory.current': '0',
  'memory.events': 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n',
  'pids.max': 'max',
  'cpu.weight': '100',
  'cpu.max': 'max 100000',
};

const fail = (errno: string, path: string): CgroupError => new CgroupError('CGROUP_IO', `${errno}: ${path}`, errno, path);

export class FakeCgroupFs implements CgroupFs {
  private readonly dirs = new Map<string, Dir>();
  private readonly watchers = new Map<string, Set<() => void>>();
  readonly writes: { file: string; text: string }[] = [];
  /** pids killed through cgroup.kill, in order. */
  readonly killed: number[] = [];
  /** Set to make cgroup.kill absent (kernels before 5.14). */
  noKillFile = false;
  /** Set to make every rmdir fail with this errno (a refusal the layout must survive). */
  rmdirFails: string | null = null;

  /** `root` is a cgroup2 mount's root offering `offered` controllers to its children. */
  constructor(
    readonly root: string,
    private readonly offered: readonly string[] = [],
  ) {
    this.dirs.set(root, { procs: new Set(), subtree: new Set(offered), files: new Map() });
  }

  // ---- what the kernel does on its own (test controls)
  /** A process appears in `dir` (forked there, or put there by a test). */
  addProcess(dir: string, pid: number): void {
    this.change(() => {
      for (const d of this.dirs.values()) d.procs.delete(pid);
      this.need(dir).procs.add(pid);
    });
  }

  exit(pid: number): void {
    this.change(() => {
      for (const d of this.dirs.values()) d.procs.delete(pid);
    });
  }

  dirOf(pid: number): string | null {
    for (const [p, d] of this.dirs) if (d.procs.has(pid)) return p;
    return null;
  }

  exists(dir: string): boolean {
    return this.dirs.has(dir);
  }

  setFile(file: string, text: string): void {
    const { dir, name } = split(file);
    this.need(dir).files.set(name, text);
    for (const fn of [...(this.watchers.get(file) ?? [])]) fn();
  }

  /** Every directory, sorted. */
  tree(): string[] {
    return [...this.dirs.keys()].sort();
  }

  watching(file: string): number {
    return this.watchers.get(file)?.size ?? 0;
  }

  // ---- CgroupFs
  mkdir(dir: string): void {
    if (this.dirs.has(dir)) return;
    const { dir: parent } = split(dir);
    if (!this.dirs.has(parent)) throw fail('ENOENT', dir);
    const files = new Map<string, string>();
    for (const [f, v] of Object.entries(LIMIT_FILES)) if (this.need(parent).subtree.has(f.split('.')[0] ?? '')) files.set(f, v);
    this.dirs.set(dir, { procs: new Set(), subtree: new Set(), files });
  }

  rmdir(dir: string): boolean {
    if (this.rmdirFails !== null) throw fail(this.rmdirFails, dir);
    if (!this.dirs.has(dir)) return true;
    if (this.populated(dir) || this.children(dir).length > 0) return false;
    this.dirs.delete(dir);
    return true;
  }

  read(file: string): string | null {
    const { dir, name } = split(file);
    const d = this.dirs.get(dir);
    if (!d) return null;
    switch (name) {
      case 'cgroup.procs':
        return [...d.procs].map((p) => `${p}\n`).join('');
      case 'cgroup.events':
        return `populated ${this.populated(dir) ? 1 : 0}\nfrozen 0\n`;
      case 'cgroup.controllers':
        return dir === this.root ? this.offered.join(' ') : [...this.need(split(dir).dir).subtree].join(' ');
      case 'cgroup.subtree_control':
        return [...d.subtree].join(' ');
      default:
        return d.files.get(name) ?? null;
    }
  }

  write(file: string, text: string): void {
    this.writes.push({ file, text });
    const { dir, name } = split(file);
    const d = this.dirs.get(dir);
    if (!d) throw fail('ENOENT', file);
    switch (name) {
      case 'cgroup.procs': {
        const pid = Number(text.trim());
        // No internal processes: a cgroup that hands controllers to children cannot hold processes itself.
        if (d.subtree.size > 0 && dir !== this.root) throw fail('EBUSY', file);
        this.addProcess(dir, pid);
        return;
      }
      case 'cgroup.kill':
        if (this.noKillFile) throw fail('ENOENT', file);
        this.change(() => {
          for (const [p, sub] of this.dirs)
            if (p === dir || p.startsWith(`${dir}/`))
              for (const pid of sub.procs) {
                this.killed.push(pid);
                sub.procs.delete(pid);
              }
        });
        return;
      case 'cgroup.subtree_control': {
        const c = text.trim().replace(/^\+/, '');
        const offered = dir === this.root ? this.offered : [...this.need(split(dir).dir).subtree];
        if (!offered.includes(c)) throw fail('ENOENT', file);
        if (d.procs.size > 0 && dir !== this.root) throw fail('EBUSY', file);
        d.subtree.add(c);
        for (const [p, sub] of this.dirs)
          if (split(p).dir === dir) for (const [f, v] of Object.entries(LIMIT_FILES)) if (f.startsWith(`${c}.`) && !sub.files.has(f)) sub.files.set(f, v);
        return;
      }
      default:
        if (!d.files.has(name)) throw fail('ENOENT', file);
        d.files.set(name, text);
    }
  }

  children(dir: string): string[] {
    const out: string[] = [];
    for (const p of this.dirs.keys()) if (split(p).dir === dir && p !== dir) out.push(split(p).name);
    return out.sort();
  }

  watch(file: string, onChange: () => void): () => void {
    if (!this.dirs.has(split(file).dir)) return () => undefined;
    const set = this.watchers.get(file) ?? new Set();
    this.watchers.set(file, set);
    const fn = (): void => onChange();
    set.add(fn);
    return () => set.delete(fn);
  }

  // ---- inside
  private populated(dir: string): boolean {
    for (const [p, d] of this.dirs) if ((p === dir || p.startsWith(`${dir}/`)) && d.procs.size > 0) return true;
    return false;
  }

  private need(dir: string): Dir {
    const d = this.dirs.get(dir);
    if (!d) throw fail('ENOENT', dir);
    return d;
  }

  /** Runs a mutation and tells the watchers of every cgroup.events whose `populated` flipped, as inotify would. */
  private change(fn: () => void): void {
    const before = new Map([...this.dirs.keys()].map((p) => [p, this.populated(p)]));
    fn();
    for (const [p, was] of before) {
      if (!this.dirs.has(p) || this.populated(p) === was) continue;
      for (const w of [...(this.watchers.get(`${p}/cgroup.events`) ?? [])]) w();
    }
  }
}

function split(path: string): { dir: string; name: string } {
  const i = path.lastIndexOf('/');
  return { dir: path.slice(0, i), name: path.slice(i + 1) };
}
