// One-off commands run under the manager (`zinit-ts run`): own group, tagged, reaped, their whole tree killed at the end.
import type { Logger } from '../log/logger-types.js';
import type { Clock, ExitStatus, ProcessPort, ProcessTablePort, TrackedProcess } from './ports.js';
import { waitGone } from './wait-gone.js';

export interface RunRequest {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly dir: string;
  readonly name: string | null;
  /** null = no limit. */
  readonly timeoutMs: number | null;
  readonly uid: number | null;
  readonly gid: number | null;
}

export interface RunResult extends ExitStatus {
  readonly timedOut: boolean;
  readonly cancelled: boolean;
  readonly spawnError: string | null;
  /** Processes of the run still alive after the main one exited, killed then. */
  readonly leftoversKilled: number;
}

/** Backpressure on a run's output: a paused run's writes block, as they would into a full pipe. */
export interface OutputFlow {
  pause(): void;
  resume(): void;
}

export interface RunInfo {
  readonly id: string;
  readonly name: string;
  readonly pid: number;
  readonly startedAt: number;
  readonly argv: readonly string[];
}

interface Active extends RunInfo {
  readonly tagName: string;
  cancel(): void;
  readonly done: Promise<RunResult>;
}

/**
 * The tag a run's processes carry. `/` cannot appear in a service name (a service is a file
 * stem), so no service file can ever be given a run's tag, nor a run a service's.
 */
export function runTagName(id: string): string {
  return `run/${id}`;
}

export interface TransientRunsDeps {
  readonly proc: ProcessPort;
  readonly table: ProcessTablePort;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Base environment for a run with this tag name. */
  readonly env: (tagName: string) => Record<string, string>;
}

export class TransientRuns {
  private readonly active = new Map<string, Active>();
  private counter = 0;

  constructor(private readonly deps: TransientRunsDeps) {}

  list(): RunInfo[] {
    return [...this.active.values()].map(({ id, name, pid, startedAt, argv }) => ({ id, name, pid, startedAt, argv }));
  }

  start(req: RunRequest, output: (stream: 'stdout' | 'stderr', text: string) => void): { info: RunInfo; done: Promise<RunResult>; flow: OutputFlow } {
    const id = `run-${++this.counter}`;
    const name = req.name ?? id;
    const tagName = runTagName(id);
    const { proc, table, clock, logger } = this.deps;
    const handle = proc.spawn({ service: tagName, role: 'run', argv: req.argv, env: { ...this.deps.env(tagName), ...req.env }, cwd: req.dir, uid: req.uid, gid: req.gid, output });
    let timedOut = false;
    let cancelled = false;
    let killedTracked: TrackedProcess[] = [];
    let exited = false;
    void handle.exited.then(() => (exited = true));
    const killTree = (): void => {
      if (handle.pid > 0 && !exited) proc.signalGroup(handle.pid, 'SIGKILL');
      killedTracked = table.find(tagName, handle.pid > 0 ? handle.pid : null);
      table.signal(killedTracked, 'SIGKILL');
      table.killAll?.(tagName);
    };
    const timer = req.timeoutMs !== null && handle.pid > 0 ? clock.setTimeout(() => ((timedOut = true), killTree()), req.timeoutMs) : null;
    const done = (async (): Promise<RunResult> => {
      const status = await handle.exited;
      if (timer) clock.clearTimeout(timer);
      // Nothing of a finished run may outlive it: whatever it left running goes now.
      const left = await table.findFresh(tagName, null);
      const leftoversKilled = table.signal(left, 'SIGKILL');
      if (left.length > 0) table.killAll?.(tagName);
      await waitGone(table, clock, [...left, ...killedTracked], 5000);
      this.active.delete(id);
      logger.info('transient run finished', { id, name, pid: handle.pid, code: status.code, signal: status.signal, timedOut, cancelled, leftoversKilled });
      return { ...status, timedOut, cancelled, spawnError: handle.spawnError, leftoversKilled };
    })();
    const info: RunInfo = { id, name, pid: handle.pid, startedAt: Date.now(), argv: req.argv };
    this.active.set(id, {
      ...info,
      tagName,
      done,
      cancel: () => {
        cancelled = true;
        killTree();
      },
    });
    logger.info('transient run started', { id, name, pid: handle.pid, command: req.argv.join(' ') });
    const flow: OutputFlow = {
      pause: () => handle.pauseOutput?.(),
      resume: () => handle.resumeOutput?.(),
    };
    return { info, done, flow };
  }

  cancel(id: string): boolean {
    const a = this.active.get(id);
    if (!a) return false;
    a.cancel();
    return true;
  }

  async killAll(): Promise<void> {
    const all = [...this.active.values()];
    for (const a of all) a.cancel();
    await Promise.all(all.map((a) => a.done));
  }
}
