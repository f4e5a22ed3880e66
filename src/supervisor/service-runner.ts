// One service's life: spawn, readiness probe, exit and respawn with backoff, stop (see service-stop.ts).
import type { ServiceConfig } from '../config/types.js';
import type { Logger } from '../log/logger-types.js';
import type { ChildEventsPort, Clock, ExitStatus, ProcessHandle, ProcessPort, ProcessTablePort, TimerHandle } from './ports.js';
import { decideRestart } from './restart-policy.js';
import { stopService, type StopReport } from './service-stop.js';
import { serviceSpawnRequest } from './spawn-request.js';
import { probeDelay } from './probe-schedule.js';
import { hasProcess, transition, type State, type StateEvent, type Target } from './state.js';

export interface RunnerDeps {
  readonly proc: ProcessPort;
  readonly table: ProcessTablePort;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Environment every process of this service gets, tag included. */
  readonly env: (config: ServiceConfig) => Record<string, string>;
  readonly output: (config: ServiceConfig) => ((stream: 'stdout' | 'stderr', text: string) => void) | null;
  readonly onChange: (runner: ServiceRunner) => void;
  /** The main process was created (not a probe's, not post_stop's): called before any of its output can arrive. */
  readonly onSpawned?: (config: ServiceConfig, pid: number) => void;
  /** Child exits, which drive a stop; without them a stop polls. */
  readonly childEvents?: ChildEventsPort;
  /** false only as a diagnostic (ZINIT_TS_STOP_RULE=start-only): see StopPlan.restAtMainExit. */
  readonly restAtMainExit?: boolean;
}

export interface ExitRecord extends ExitStatus {
  readonly at: number;
  readonly pid: number;
}

export type { StopReport } from './service-stop.js';

/** The service's main process, from its spawn until its exit event. */
interface MainProcess {
  readonly handle: ProcessHandle;
  readonly startedAt: number;
  exited: boolean;
}

export class ServiceRunner {
  state: State = 'Unknown';
  target: Target = 'Down';
  lastExit: ExitRecord | null = null;
  restarts = 0;
  blockedReason: string | null = null;
  /** A start was asked for and waits for dependencies. */
  wantStart = false;
  private streak = 0;
  private main: MainProcess | null = null;
  private restartTimer: TimerHandle | null = null;
  private probeTimer: TimerHandle | null = null;
  private probe: { handle: ProcessHandle; timeout: TimerHandle } | null = null;
  private probeAttempt = 0;
  private stopping: Promise<StopReport> | null = null;
  /** Leftovers of the previous run being stopped before a respawn. */
  private cleaning: Promise<StopReport> | null = null;
  /** While a stop waits: when SIGKILL is due (clock time), or null once it was sent. */
  stopDeadline: number | null = null;
  /** The last completed stop, for reports and metrics. */
  lastStop: StopReport | null = null;

  constructor(
    public config: ServiceConfig,
    private readonly deps: RunnerDeps,
  ) {}

  get name(): string {
    return this.config.name;
  }

  get pid(): number | null {
    return this.main && !this.main.exited ? this.main.handle.pid : null;
  }

  get restartPending(): boolean {
    return this.restartTimer !== null;
  }

  get isStopping(): boolean {
    return this.stopping !== null || this.cleaning !== null;
  }

  /** Ask for the service to run; the manager calls `spawn()` once dependencies allow. */
  requestStart(): void {
    this.target = 'Up';
    if (!hasProcess(this.state) && !this.restartPending) this.wantStart = true;
  }

  block(reason: string): void {
    this.blockedReason = reason;
    if (this.state !== 'Blocked' && !hasProcess(this.state)) this.move({ kind: 'block' });
    else this.deps.onChange(this);
  }

  spawn(): void {
    if (this.main && !this.main.exited) return;
    this.wantStart = false;
    this.blockedReason = null;
    this.clearRestartTimer();
    const c = this.config;
    const handle = this.deps.proc.spawn(serviceSpawnRequest(this.deps, c, 'main', c.argv));
    const main: MainProcess = { handle, startedAt: this.deps.clock.now(), exited: false };
    this.main = main;
    if (handle.pid > 0) {
      this.deps.onSpawned?.(c, handle.pid);
      this.deps.logger.info('service spawned', { service: c.name, pid: handle.pid });
    }
    this.move({ kind: 'spawn' });
    void handle.exited.then((status) => this.onExit(main, status));
    if (!c.oneshot) {
      if (c.testArgv && handle.pid > 0) {
        this.probeAttempt = 0;
        this.scheduleProbe();
      } else if (handle.pid > 0) this.move({ kind: 'ready' });
    }
  }

  /** Stop the service: stop signal (and SIGCONT) to its group and tree, SIGKILL at its own deadline. */
  stop(): Promise<StopReport> {
    this.target = 'Down';
    this.wantStart = false;
    this.clearRestartTimer();
    this.clearProbe();
    if (this.stopping) return this.stopping;
    const p = this.stopNow()
      .then((r) => {
        this.lastStop = r;
        return r;
      })
      .finally(() => {
        this.stopping = null;
        this.stopDeadline = null;
        this.deps.onChange(this);
      });
    this.stopping = p;
    return p;
  }

  kill(signal: NodeJS.Signals): boolean {
    const pid = this.pid;
    if (pid === null) return false;
    this.deps.proc.signalGroup(pid, signal);
    return true;
  }

  /** Forget timers; used when a service is dropped. */
  dispose(): void {
    this.clearRestartTimer();
    this.clearProbe();
  }

  private move(event: StateEvent): void {
    const next = transition(this.state, event);
    if (next === 'Running' && this.state !== 'Running') this.deps.logger.info('service ready', { service: this.name, pid: this.pid });
    else if (next !== this.state) this.deps.logger.debug('state', { service: this.name, from: this.state, to: next });
    this.state = next;
    this.deps.onChange(this);
  }

  private onExit(main: MainProcess, status: ExitStatus): void {
    main.exited = true;
    const now = this.deps.clock.now();
    this.lastExit = { ...status, at: Date.now(), pid: main.handle.pid };
    if (this.main !== main) return;
    this.clearProbe();
    const c = this.config;
    const ok = status.code === 0;
    const fields = { service: c.name, pid: main.handle.pid, code: status.code, signal: status.signal };
    // The precise reason of a failed spawn is known only once the spawn has settled.
    if (main.handle.pid === 0) this.deps.logger.error('service could not be started', { service: c.name, error: main.handle.spawnError ?? 'unknown error' });
    if (this.target === 'Down') {
      this.deps.logger.info('service exited after stop', fields);
      this.move({ kind: 'exit', ok: true });
      return;
    }
    if (c.oneshot) {
      this.deps.logger[ok ? 'info' : 'warn'](ok ? 'oneshot finished' : 'oneshot failed', fields);
      this.move({ kind: 'exit', ok });
      return;
    }
    this.deps.logger.warn('service exited', fields);
    this.move({ kind: 'exit', ok });
    const decision = decideRestart(c, { ok, ranMs: now - main.startedAt }, this.streak);
    if (decision.action === 'respawn') {
      this.streak = decision.streak;
      this.deps.logger.info('respawn scheduled', { service: c.name, delayMs: decision.delayMs, attempt: decision.streak });
      this.restartTimer = this.deps.clock.setTimeout(() => {
        this.restartTimer = null;
        if (this.target !== 'Up') return;
        void this.respawn();
      }, decision.delayMs);
      this.deps.onChange(this);
    } else if (decision.action === 'give-up') {
      this.streak = decision.streak;
      this.deps.logger.error('service failed permanently', { service: c.name, restarts: this.restarts });
      this.move({ kind: 'give-up' });
    }
  }

  /** A new run never starts beside the remains of the last one (a child still holding its port, say). */
  private async respawn(): Promise<void> {
    const left = this.deps.table.find(this.name, null);
    if (left.length > 0) {
      this.deps.logger.warn('previous run left processes behind; stopping them before the respawn', { service: this.name, pids: left.map((p) => p.pid) });
      this.cleaning = this.stopNow();
      await this.cleaning;
      this.cleaning = null;
      if (this.target !== 'Up' || this.stopping) return;
    }
    this.restarts++;
    this.spawn();
  }

  private scheduleProbe(): void {
    const delay = probeDelay(this.probeAttempt, this.config.testIntervalMs);
    this.probeTimer = this.deps.clock.setTimeout(() => {
      this.probeTimer = null;
      this.runProbe();
    }, delay);
  }

  private runProbe(): void {
    const c = this.config;
    const main = this.main;
    if (!c.testArgv || !main || main.exited || this.target !== 'Up') return;
    const handle = this.deps.proc.spawn(serviceSpawnRequest(this.deps, c, 'test', c.testArgv));
    const timeout = this.deps.clock.setTimeout(() => {
      if (handle.pid > 0) this.deps.proc.signalGroup(handle.pid, 'SIGKILL');
    }, c.testTimeoutMs);
    const probe = { handle, timeout };
    this.probe = probe;
    void handle.exited.then((status) => {
      this.deps.clock.clearTimeout(timeout);
      if (this.probe !== probe) return;
      this.probe = null;
      if (this.main !== main || main.exited || this.target !== 'Up') return;
      if (status.code === 0) {
        this.move({ kind: 'ready' });
        return;
      }
      // A probe that cannot be executed at all will never pass: say so in the state, keep trying.
      if (handle.spawnError || status.code === 126 || status.code === 127) {
        if (this.state !== 'TestFailure') this.deps.logger.warn('readiness test cannot run', { service: c.name, error: handle.spawnError ?? `exit ${status.code}` });
        this.move({ kind: 'test-failed' });
      }
      this.probeAttempt++;
      this.scheduleProbe();
    });
  }

  private clearProbe(): void {
    if (this.probeTimer) this.deps.clock.clearTimeout(this.probeTimer);
    this.probeTimer = null;
    if (this.probe) {
      this.deps.clock.clearTimeout(this.probe.timeout);
      if (this.probe.handle.pid > 0) this.deps.proc.signalGroup(this.probe.handle.pid, 'SIGKILL');
      this.probe = null;
    }
  }

  private clearRestartTimer(): void {
    if (this.restartTimer) this.deps.clock.clearTimeout(this.restartTimer);
    this.restartTimer = null;
  }

  private stopNow(): Promise<StopReport> {
    const main = this.main && !this.main.exited ? this.main : null;
    return stopService(this.deps, this.config, main ? { pid: main.handle.pid, exited: main.handle.exited } : null, (at) => (this.stopDeadline = at));
  }
}
