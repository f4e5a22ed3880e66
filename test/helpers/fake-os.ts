// Fake processes for supervisor tests: spawn returns handles the test exits by hand; signals are recorded.
import type { ExitStatus, ProcessHandle, ProcessPort, ProcessTablePort, SpawnRequest, TrackedProcess } from '../../src/supervisor/ports.js';

export interface FakeProcess {
  readonly pid: number;
  readonly req: SpawnRequest;
  exited: boolean;
  exit(status: ExitStatus): void;
}

export class FakeOs implements ProcessPort, ProcessTablePort {
  readonly spawned: FakeProcess[] = [];
  readonly signals: { pid: number; signal: NodeJS.Signals }[] = [];
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
      },
    };
    this.spawned.push(p);
    const result = this.probeResult.get(req.service) ?? 0;
    if ((req.role === 'test' && result !== 'hang') || req.role === 'post-stop') queueMicrotask(() => p.exit({ code: req.role === 'test' && typeof result === 'number' ? result : 0, signal: null }));
    return { pid, exited, spawnError: null };
  }

  signalGroup(pgid: number, signal: NodeJS.Signals): void {
    this.signals.push({ pid: pgid, signal });
    const p = this.spawned.find((x) => x.pid === pgid && !x.exited);
    if (p && this.diesOn.has(signal)) p.exit({ code: null, signal });
  }

  mains(service: string): FakeProcess[] {
    return this.spawned.filter((p) => p.req.service === service && p.req.role === 'main');
  }

  live(service: string): FakeProcess | undefined {
    return this.mains(service).find((p) => !p.exited);
  }

  find(service: string): TrackedProcess[] {
    return this.extra.get(service) ?? [];
  }

  findFresh(service: string): Promise<TrackedProcess[]> {
    return Promise.resolve(this.find(service));
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
