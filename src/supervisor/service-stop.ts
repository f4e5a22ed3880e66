// Runs one stop: feeds the stop machine its events (the main exit, child exits, the deadline) and sends what it decides.
import type { ServiceConfig } from '../config/types.js';
import type { Logger } from '../log/logger-types.js';
import type { ChildEventsPort, Clock, ExitStatus, ProcessPort, ProcessTablePort, TimerHandle, TrackedProcess } from './ports.js';
import { StopMachine, type Delivery } from './stop-machine.js';

export interface StopDeps {
  readonly proc: ProcessPort;
  readonly table: ProcessTablePort;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Child exits; without them (or without a subtree table) the stop polls the process table instead. */
  readonly childEvents?: ChildEventsPort;
  /** false only as a diagnostic: see StopPlan.restAtMainExit. */
  readonly restAtMainExit?: boolean;
}

/** The main process of the run being stopped, while its exit event has not come. */
export interface MainProcess {
  /** 0 when the spawn failed. */
  readonly pid: number;
  readonly exited: Promise<ExitStatus>;
}

export interface StopReport {
  readonly service: string;
  readonly signal: NodeJS.Signals;
  readonly hadProcess: boolean;
  readonly durationMs: number;
  readonly sigkill: boolean;
  /** Processes other than the main one met during the stop (descendants, escapees). */
  readonly descendants: number;
  /** Processes still alive when the stop gave up waiting after SIGKILL. */
  readonly remaining: readonly TrackedProcess[];
}

/** How long processes may take to die after SIGKILL before the stop reports them as remaining. */
export const SIGKILL_GRACE_MS = 5000;
// Without child events: the first re-check soon, then less often (a stop of many services shares each walk).
const POLL_FIRST_MS = 10;
const POLL_MAX_MS = 200;
/** With child events: the first walk at the first event, or this long after the stop signal at the latest. */
export const FIRST_SCAN_MS = 50;

/**
 * Stops one service: the stop signal as `kill_mode` says, SIGKILL at `shutdown_timeout`; resolves once no
 * process of the service is left and the main process's exit event has come (state and log follow it).
 * `onDeadline` hears when SIGKILL is due (clock time), then null once it was sent.
 */
export async function stopService(deps: StopDeps, c: ServiceConfig, main: MainProcess | null, onDeadline: (at: number | null) => void = () => undefined): Promise<StopReport> {
  const { clock, table, proc, logger } = deps;
  const t0 = clock.now();
  const mainPid = main !== null && main.pid > 0 ? main.pid : null;
  const others = (list: readonly TrackedProcess[]): TrackedProcess[] => list.filter((p) => p.pid !== mainPid);
  // Without a main process there may be nothing to stop: look first.
  const leftovers = main === null ? await table.findFresh(c.name, null) : null;
  if (leftovers !== null && leftovers.length === 0) return { service: c.name, signal: c.stopSignal, hadProcess: false, durationMs: 0, sigkill: false, descendants: 0, remaining: [] };

  const machine = new StopMachine({ mode: c.killMode, signal: c.stopSignal, mainPid, ...(deps.restAtMainExit === false ? { restAtMainExit: false } : {}) });
  let mainExited = main === null;
  const deliver = (ds: readonly Delivery[]): void => {
    for (const d of ds) {
      // By id only until the exit event: until then the main pid (and so the group id) cannot have been reused.
      if (d.to === 'main-group') {
        if (mainPid !== null && !mainExited) proc.signalGroup(mainPid, d.signal);
      } else if (d.to === 'main') {
        if (mainPid !== null && !mainExited) proc.signalProcess(mainPid, d.signal);
      } else table.signal(d.procs, d.signal);
    }
  };
  // The main group hears at once; the walk for the rest runs while it is already stopping. Logged after the
  // signals: when many services stop together, every one of them gets its signal before any line is written.
  deliver(machine.begin());
  queueMicrotask(() => logger.info('stopping service', { service: c.name, pid: mainPid, signal: c.stopSignal, killMode: c.killMode, timeoutMs: c.shutdownTimeoutMs }));
  if (leftovers !== null) deliver(machine.on({ kind: 'scanned', procs: leftovers, mainAlive: false }));

  return new Promise<StopReport>((resolve) => {
    const timers = new Set<TimerHandle>();
    const after = (ms: number, fn: () => void): TimerHandle => {
      const t = clock.setTimeout(() => {
        timers.delete(t);
        fn();
      }, ms);
      timers.add(t);
      return t;
    };
    const polling = !table.subtree || deps.childEvents === undefined;
    let pollMs = POLL_FIRST_MS;
    let poll: TimerHandle | null = null;
    let scanning = false;
    let again = false;
    let finished = false;
    let mainSeen: TrackedProcess[] = [];

    const finish = (remaining: readonly TrackedProcess[]): void => {
      if (finished) return;
      finished = true;
      for (const t of timers) clock.clearTimeout(t);
      unsubscribe();
      onDeadline(null);
      resolve({ service: c.name, signal: c.stopSignal, hadProcess: true, durationMs: clock.now() - t0, sigkill: machine.sigkill, descendants: machine.descendants, remaining });
    };
    const maybeDone = (): void => {
      if (machine.phase === 'gone' && mainExited) finish([]);
    };
    // One walk at a time; events during a walk ask for one more, begun after it, so none is missed.
    const rescan = (): void => {
      if (finished) return;
      if (scanning) {
        again = true;
        return;
      }
      scanning = true;
      // After its exit event the main pid may be reused: the tag alone places what is left.
      void table.lookFresh(c.name, mainExited ? null : mainPid).then(({ procs: found, settled }) => {
        scanning = false;
        if (finished) return;
        const mainEntry = found.find((p) => p.pid === mainPid);
        if (mainEntry && !mainExited) mainSeen = [mainEntry];
        deliver(machine.on({ kind: 'scanned', procs: others(found), mainAlive: mainEntry !== undefined, settled }));
        maybeDone();
        if (finished) return;
        if (again) {
          again = false;
          rescan();
        } else if (polling && poll === null) {
          poll = after(pollMs, () => {
            poll = null;
            rescan();
          });
          pollMs = Math.min(pollMs * 2, POLL_MAX_MS);
        }
      });
    };
    const unsubscribeChild = deps.childEvents?.subscribe(rescan) ?? ((): void => undefined);
    // cgroup mode: the leaf's populated flag flips to 0 with the last process, wherever it was reparented.
    const unwatch = table.watch?.(c.name, rescan) ?? ((): void => undefined);
    const unsubscribe = (): void => {
      unsubscribeChild();
      unwatch();
    };
    if (polling) rescan();
    // The first walk follows the first child exit: while a stopped tree is dying its exits are handled and its
    // orphans reaped first, so the walk meets no zombies (and a walk of a live tree just before it dies makes the
    // dying dearer). Should nothing exit, the walk comes anyway, soon, for what the group signal cannot reach.
    // That wait starts once every stop begun in this turn has sent its signals (an immediate runs after them).
    else
      setImmediate(() => {
        if (!finished && !machine.scannedOnce)
          after(FIRST_SCAN_MS, () => {
            if (!machine.scannedOnce) rescan();
          });
      });

    if (main !== null)
      void main.exited.then(() => {
        mainExited = true;
        deliver(machine.on({ kind: 'main-exited' }));
        maybeDone();
        // With child events, the one that follows this exit rescans, after the reaper took the orphans it left.
        if (polling) rescan();
      });

    onDeadline(t0 + c.shutdownTimeoutMs);
    after(Math.max(0, t0 + c.shutdownTimeoutMs - clock.now()), () => {
      onDeadline(null);
      // Everything gone but the main exit event: nothing to kill, only that event to wait for.
      if (machine.phase === 'gone') return;
      const alive = machine.last.length + (machine.mainRunning ? 1 : 0);
      logger.warn('stop timed out, sending SIGKILL', { service: c.name, processes: alive });
      deliver(machine.on({ kind: 'deadline' }));
      // Whatever the last walk has not met yet (forked since) is in the leaf too: the kernel kills it all at once.
      table.killAll?.(c.name);
      after(SIGKILL_GRACE_MS, () => finish(table.alive([...(mainExited ? [] : mainSeen), ...machine.last])));
      rescan();
    });
  });
}
