// Fake processes for supervisor tests: spawn returns handles the test exits by hand; signals are recorded.
import type { ChildEventsPort, ExitStatus, Look, ProcessHandle, ProcessPort, ProcessTablePort, SpawnRequest, TrackedProcess } from '../../src/supervisor/ports.js';

export interface FakeProcess {
  readonly pid: number;
  readonly req: SpawnRequest;
  exited: boolean;
  exit(status: ExitStatus): void;
}

export class FakeOs implements ProcessPort, ProcessTablePort, ChildEventsPort {
  /** false: as if orphans could leave our subtree, so a stop must poll. */
  subtree = true;
  readonly spawned: FakeProcess[] = [];
  /** Walks of the process table (find and findFresh). */
  scans = 0;
  private readonly listeners = new Set<() => void>();
  /** `group`: sent to the process group of that id. */
  readonly signals: { pid: number; signal: NodeJS.Signals; group?: true }[] = [];
  /** What a probe should exit with, per service; default 0; 'hang' = never exits by itself. */
  probeResult = new Map<string, number | 'hang'>();
  /** Signals that make a fake main process exit right away (like a default handler would). */
  diesOn = new Set<NodeJS.Signals>(['SIGTERM', 'SIGKILL', 'SIGINT']);
  /** Extra processes found in the "process table" per service. */
  readonly extra = new Map<string, TrackedProcess[]>();
  private nextPid = 100;

  spawn(req: SpawnRequest): ProcessHandle {
    const pid = this.nextPid++;
    let resolve: (s: ExitStatus) => void = () => undefined;
    const exited = new Promise<ExitStatus>((r) => (resolve = r));
    const p: FakeProcess = {
      pid,
      req,
      exited: false,
      exit: (s) => {
        if (p.exited) return;
        p.exited = true;
        resolve(s);
        // As SIGCHLD follows the exit event of a child.
        queueMicrotask(() => this.childEvent());
      },
    };
    this.spawned.push(p);
    const result = this.probeResult.get(req.service) ?? 0;
    if ((req.role === 'test' && result !== 'hang') || req.role === 'post-stop') queueMicrotask(() => p.exit({ code: req.role === 'test' && typeof result === 'number' ? result : 0, signal: null }));
    return { pid, exited, spawnError: null };
  }

  signalGroup(pgid: number, signal: NodeJS.Signals): void {
    this.signals.push({ pid: pgid, signal, group: true });
    const p = this.spawned.find((x) => x.pid === pgid && !x.exited);
    if (p && this.diesOn.has(signal)) p.exit({ code: null, signal });
  }

  signalProcess(pid: number, signal: NodeJS.Signals): void {
    this.signals.push({ pid, signal });
    const p = this.spawned.find((x) => x.pid === pid && !x.exited);
    if (p && this.diesOn.has(signal)) p.exit({ code: null, signal });
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** What SIGCHLD does: every stop that waits walks the table again. */
  childEvent(): void {
    for (const fn of [...this.listeners]) fn();
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  /** Replace the extra processes of a service, as their exits would, and say so with a child event. */
  setExtra(service: string, procs: TrackedProcess[]): void {
    this.extra.set(service, procs);
    this.childEvent();
  }

  mains(service: string): FakeProcess[] {
    return this.spawned.filter((p) => p.req.service === service && p.req.role === 'main');
  }

  live(service: string): FakeProcess | undefined {
    return this.mains(service).find((p) => !p.exited);
  }

  /** The live main process (when asked for by pid) and the service's extra processes. */
  find(service: string, mainPid: number | null): TrackedProcess[] {
    this.scans++;
    const main = mainPid === null ? undefined : this.spawned.find((p) => p.pid === mainPid && !p.exited && p.req.service === service);
    const mainEntry: TrackedProcess[] = main ? [{ pid: main.pid, startTime: 0, ppid: 1, pgrp: main.pid, session: main.pid, comm: 'main', state: 'S', escaped: false, underMain: true }] : [];
    return [...mainEntry, ...(this.extra.get(service) ?? [])];
  }

  findFresh(service: string, mainPid: number | null): Promise<TrackedProcess[]> {
    return Promise.resolve(this.find(service, mainPid));
  }

  /** Walks that cannot show a service gone (a child of ours exited during them), the next ones first. */
  unsettledWalks = 0;

  lookFresh(service: string, mainPid: number | null): Promise<Look> {
    const settled = this.unsettledWalks === 0;
    if (!settled) this.unsettledWalks--;
    return Promise.resolve({ procs: this.find(service, mainPid), settled });
  }

  alive(procs: readonly TrackedProcess[]): TrackedProcess[] {
    const all = [...this.extra.values()].flat();
    return procs.filter((p) => all.includes(p));
  }

  signal(procs: readonly TrackedProcess[], signal: NodeJS.Signals): number {
    for (const p of procs) this.signals.push({ pid: p.pid, signal });
    return procs.length;
  }
}
