// One service's life: spawn, readiness (probe or notification), liveness, exit and respawn with backoff, stop (see service-stop.ts).
import type { ServiceConfig } from '../config/types.js';
import { messageOf } from '../errors/message-of.js';
import type { Logger } from '../log/logger-types.js';
import type { ChildEventsPort, Clock, ExitStatus, NetProbePort, NotifyChannel, NotifyPort, ProcessHandle, ProcessPort, ProcessTablePort, SpawnRequest, TimerHandle } from './ports.js';
import { readinessProbe, startProbe, type StartedProbe } from './probe-run.js';
import { decideRestart, type RestartDecision } from './restart-policy.js';
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
  /** HTTP and TCP probes. */
  readonly netProbe?: NetProbePort;
  /** Sockets for `notify: systemd`. */
  readonly notify?: NotifyPort;
  /** The liveness probe failed `live_failures` times in a row: the owner restarts the service (see restartUnhealthy). */
  readonly onLivenessFailure?: (runner: ServiceRunner, error: string) => void;
}

/** Longest STATUS= text kept from a service's notifications. */
export const MAX_STATUS_TEXT = 512;

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
  /** Its `notify: systemd` socket, closed at its exit. */
  notify: NotifyChannel | null;
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
  private probe: StartedProbe | null = null;
  private probeAttempt = 0;
  private liveTimer: TimerHandle | null = null;
  private liveRun: StartedProbe | null = null;
  /**
   * A liveness restart is under way (restartUnhealthy): the target stays Up, the exit of the run is a
   * failure, and the owner starts the service again unless a stop by request came in between.
   */
  private stopForLiveness = false;
  /** Runs started (each spawn of the main process), so a run's post_stop is done once. */
  runs = 0;
  /** When the current run last passed its liveness probe (clock time), or null. */
  private lastLivePassAt: number | null = null;
  /** The pending respawn is a liveness restart: counted in liveRestarts when it happens. */
  private respawnForLiveness = false;
  /** The run a stop by request is for: its exit is a stop's, even if a start came meanwhile. */
  private stopRequestedRun: number | null = null;
  /** The last failure of its readiness or liveness probe (or notification), until one passes. */
  probeError: string | null = null;
  /** Liveness failures in a row for the current run. */
  liveFailuresInRow = 0;
  /** Restarts caused by the liveness probe (also counted in `restarts`). */
  liveRestarts = 0;
  /** Runs ended by the kernel's OOM killer. */
  oomKills = 0;
  /** The service's own STATUS= (notify: systemd), for the current run. */
  statusText: string | null = null;
  private stopping: Promise<StopReport> | null = null;
  /** Leftovers of the previous run being stopped before a respawn. */
  private cleaning: Promise<unknown> | null = null;
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
    // A start by hand gives a service that gave up its full restart budget again.
    if (this.state === 'Failure') this.streak = 0;
    // During a stop the manager spawns it once the stop is over.
    if ((!hasProcess(this.state) || this.isStopping) && !this.restartPending) this.wantStart = true;
  }

  block(reason: string): void {
    this.blockedReason = reason;
    if (this.state !== 'Blocked' && !hasProcess(this.state)) this.move({ kind: 'block' });
    else this.deps.onChange(this);
  }

  spawn(): void {
    if (this.main && !this.main.exited) return;
    this.runs++;
    this.stopForLiveness = false;
    this.respawnForLiveness = false;
    this.lastLivePassAt = null;
    this.wantStart = false;
    this.blockedReason = null;
    this.clearRestartTimer();
    this.statusText = null;
    this.probeError = null;
    this.liveFailuresInRow = 0;
    const c = this.config;
    // Notifications may only come once the process exists; they find its record through this box.
    const box: { main: MainProcess | null } = { main: null };
    const { req, notify, problem } = this.mainRequest(c, box);
    const handle = this.deps.proc.spawn(req);
    const main: MainProcess = { handle, startedAt: this.deps.clock.now(), exited: false, notify };
    box.main = main;
    this.main = main;
    if (handle.pid > 0) {
      this.deps.onSpawned?.(c, handle.pid);
      this.deps.logger.info('service spawned', { service: c.name, pid: handle.pid });
    }
    this.move({ kind: 'spawn' });
    void handle.exited.then((status) => this.onExit(main, status));
    if (c.oneshot || handle.pid <= 0) return;
    if (c.notify !== null) {
      // It says itself when it is ready; without its channel it never can, which its state shows.
      if (problem !== null) {
        this.probeError = problem;
        this.deps.logger.error('readiness notification unavailable', { service: c.name, notify: c.notify, error: problem });
        this.move({ kind: 'test-failed' });
      }
    } else if (readinessProbe(c)) {
      this.probeAttempt = 0;
      this.scheduleProbe();
    } else this.becameReady();
  }

  /** The main process's spawn request, with its notification channel when it has one. */
  private mainRequest(c: ServiceConfig, box: { main: MainProcess | null }): { req: SpawnRequest; notify: NotifyChannel | null; problem: string | null } {
    const req = serviceSpawnRequest(this.deps, c, 'main', c.argv);
    if (c.notify === 'fd') {
      const onText = (text: string): void => {
        if (text.includes('\n')) this.onNotified(box.main, new Map([['READY', '1']]));
      };
      return { req: { ...req, env: { ...req.env, NOTIFY_FD: '3' }, notifyFd: onText }, notify: null, problem: null };
    }
    if (c.notify !== 'systemd') return { req, notify: null, problem: null };
    if (!this.deps.notify) return { req, notify: null, problem: 'notify: systemd is not available in this build' };
    try {
      const channel = this.deps.notify.open(c.name, (fields) => this.onNotified(box.main, fields));
      return { req: { ...req, env: { ...req.env, ...channel.env } }, notify: channel, problem: null };
    } catch (err) {
      return { req, notify: null, problem: `cannot open a notification socket: ${messageOf(err)}` };
    }
  }

  /** A notification of a run (READY=1, STATUS=…); one of an earlier run, or after a stop began, changes nothing. */
  private onNotified(main: MainProcess | null, fields: ReadonlyMap<string, string>): void {
    if (main === null || this.main !== main || main.exited || this.target !== 'Up') return;
    const raw = fields.get('STATUS');
    // Shown on terminals: no control characters (an escape sequence would reach the operator's).
    const status = raw === undefined ? undefined : raw.slice(0, MAX_STATUS_TEXT).replace(/\p{Cc}/gu, '?');
    if (status !== undefined && (status === '' ? null : status) !== this.statusText) {
      this.statusText = status === '' ? null : status;
      this.deps.onChange(this);
    }
    if (fields.get('READY') === '1' && (this.state === 'Spawned' || this.state === 'TestFailure')) this.becameReady();
  }

  private becameReady(): void {
    this.probeError = null;
    this.move({ kind: 'ready' });
    if (this.config.live) this.scheduleLive();
  }

  /** Stop the service: stop signal (and SIGCONT) to its group and tree, SIGKILL at its own deadline. */
  stop(): Promise<StopReport> {
    this.target = 'Down';
    this.wantStart = false;
    this.stopForLiveness = false;
    this.respawnForLiveness = false;
    if (this.main && !this.main.exited) this.stopRequestedRun = this.runs;
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

  /**
   * The liveness probe failed live_failures times in a row. This run is stopped through the normal
   * stop path (stop signal, shutdown_timeout, SIGKILL) while the target stays Up, `afterStop`
   * (post_stop) runs, and the service is started again after restart_delay, backing off and
   * counting toward max_restarts like any restart, whatever `restart:` says. The whole of it is
   * one stop for the manager (isStopping), so nothing spawns, blocks or judges the service
   * midway; a stop by request in between wins.
   */
  restartUnhealthy(afterStop: (report: StopReport) => Promise<void>): Promise<void> {
    this.stopForLiveness = true;
    this.clearProbe();
    const run = (async (): Promise<void> => {
      const report = await this.stopNow();
      this.lastStop = report;
      await afterStop(report);
      const wanted = this.stopForLiveness && this.target === 'Up';
      this.stopForLiveness = false;
      if (wanted) this.scheduleUnhealthyRespawn();
    })().finally(() => {
      if (this.cleaning === run) this.cleaning = null;
      if (this.stopping === null) this.stopDeadline = null;
      this.deps.onChange(this);
    });
    this.cleaning = run;
    return run;
  }

  private scheduleUnhealthyRespawn(): void {
    // Only from the Error its stop left (a start by request may have spawned it meanwhile).
    if (this.state !== 'Error' || this.restartPending || (this.main && !this.main.exited)) return;
    if (this.wantStart) {
      // A start by request came during the stop: the manager spawns it now, and the restart is this one.
      this.restarts++;
      this.liveRestarts++;
      return;
    }
    // The time it was seen healthy: a run that never passed a liveness probe backs off.
    const ranMs = this.main && this.lastLivePassAt !== null ? this.lastLivePassAt - this.main.startedAt : 0;
    this.follow(decideRestart({ ...this.config, restart: 'always' }, { ok: false, ranMs }, this.streak), 'liveness');
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
    // The OOM killer's count rose during the run; a SIGKILL our own stop sent is ours, not the OOM killer's.
    const oomKill = status.oomKill === true && !this.isStopping;
    this.lastExit = { code: status.code, signal: status.signal, ...(oomKill ? { oomKill: true } : {}), at: Date.now(), pid: main.handle.pid };
    main.notify?.close();
    main.notify = null;
    if (this.main !== main) return;
    this.clearProbe();
    const c = this.config;
    const ok = status.code === 0;
    const fields = { service: c.name, pid: main.handle.pid, code: status.code, signal: status.signal, ...(oomKill ? { oomKill: true } : {}) };
    if (oomKill) {
      this.oomKills++;
      this.deps.logger.error('service killed by the kernel\'s OOM killer: it reached memory_max', { service: c.name, pid: main.handle.pid, memoryMax: c.limits.memoryMax });
    }
    // The precise reason of a failed spawn is known only once the spawn has settled.
    if (main.handle.pid === 0) this.deps.logger.error('service could not be started', { service: c.name, error: main.handle.spawnError ?? 'unknown error' });
    // A run stopped by request ended as asked, even if a start came meanwhile (that start spawns a new run).
    if (this.target === 'Down' || this.stopRequestedRun === this.runs) {
      this.stopRequestedRun = null;
      this.deps.logger.info('service exited after stop', fields);
      this.move({ kind: 'exit', ok: true });
      return;
    }
    if (this.stopForLiveness) {
      // Stopped because it was unhealthy: a failure, whatever its exit code; the owner restarts it.
      this.deps.logger.info('unhealthy service exited after stop', fields);
      this.move({ kind: 'exit', ok: false });
      return;
    }
    if (c.oneshot) {
      this.deps.logger[ok ? 'info' : 'warn'](ok ? 'oneshot finished' : 'oneshot failed', fields);
      this.move({ kind: 'exit', ok });
      return;
    }
    this.deps.logger.warn('service exited', fields);
    this.move({ kind: 'exit', ok });
    this.follow(decideRestart(c, { ok, ranMs: now - main.startedAt }, this.streak), 'exit');
  }

  /** Acts on a restart decision: the respawn after its delay, or Failure once the restarts gave up. */
  private follow(decision: RestartDecision, why: 'exit' | 'liveness'): void {
    if (decision.action === 'stay') return;
    this.streak = decision.streak;
    if (decision.action === 'give-up') {
      this.deps.logger.error('service failed permanently', { service: this.name, restarts: this.restarts, why });
      this.move({ kind: 'give-up' });
      return;
    }
    this.respawnForLiveness = why === 'liveness';
    this.deps.logger.info('respawn scheduled', { service: this.name, delayMs: decision.delayMs, attempt: decision.streak, why });
    this.restartTimer = this.deps.clock.setTimeout(() => {
      this.restartTimer = null;
      if (this.target !== 'Up') return;
      void this.respawn();
    }, decision.delayMs);
    this.deps.onChange(this);
  }

  /** A new run never starts beside the remains of the last one (a child still holding its port, say). */
  private async respawn(): Promise<void> {
    // Started meanwhile (a start by request once a stop ended).
    if (this.main && !this.main.exited) return;
    if (this.respawnForLiveness) this.liveRestarts++;
    this.respawnForLiveness = false;
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
    const check = readinessProbe(c);
    if (!check || !main || main.exited || this.target !== 'Up') return;
    const run = startProbe(this.deps, c, check);
    this.probe = run;
    void run.result.then((r) => {
      if (this.probe !== run) return;
      this.probe = null;
      if (this.main !== main || main.exited || this.target !== 'Up') return;
      if (r.ok) {
        this.becameReady();
        return;
      }
      const changed = this.probeError !== r.error;
      this.probeError = r.error;
      // A probe that cannot be executed at all will never pass: say so in the state, keep trying.
      if (r.unrunnable) {
        if (this.state !== 'TestFailure') this.deps.logger.warn('readiness test cannot run', { service: c.name, error: r.error });
        this.move({ kind: 'test-failed' });
      } else if (changed) this.deps.onChange(this);
      this.probeAttempt++;
      this.scheduleProbe();
    });
  }

  /** The next liveness run, live_interval after the end of the last one: runs never overlap. */
  private scheduleLive(): void {
    if (this.liveTimer) this.deps.clock.clearTimeout(this.liveTimer);
    this.liveTimer = this.deps.clock.setTimeout(() => {
      this.liveTimer = null;
      this.runLive();
    }, this.config.liveIntervalMs);
  }

  private runLive(): void {
    const c = this.config;
    const main = this.main;
    const healthy = (): boolean => this.main === main && main !== null && !main.exited && this.target === 'Up' && this.state === 'Running';
    if (!c.live || !healthy()) return;
    const run = startProbe(this.deps, c, c.live);
    this.liveRun = run;
    void run.result.then((r) => {
      if (this.liveRun !== run) return;
      this.liveRun = null;
      if (!healthy()) return;
      if (r.ok) {
        this.lastLivePassAt = this.deps.clock.now();
        if (this.liveFailuresInRow > 0) {
          this.deps.logger.info('liveness probe passes again', { service: c.name, after: this.liveFailuresInRow });
          this.liveFailuresInRow = 0;
          this.probeError = null;
          this.deps.onChange(this);
        }
        this.scheduleLive();
        return;
      }
      this.liveFailuresInRow++;
      this.probeError = r.error;
      const error = r.error ?? 'failed';
      this.deps.logger.warn('liveness probe failed', { service: c.name, failures: this.liveFailuresInRow, of: c.liveFailures, error });
      this.deps.onChange(this);
      if (this.liveFailuresInRow < c.liveFailures) this.scheduleLive();
      else this.deps.onLivenessFailure?.(this, error);
    });
  }

  private clearProbe(): void {
    if (this.probeTimer) this.deps.clock.clearTimeout(this.probeTimer);
    this.probeTimer = null;
    this.probe?.cancel();
    this.probe = null;
    if (this.liveTimer) this.deps.clock.clearTimeout(this.liveTimer);
    this.liveTimer = null;
    this.liveRun?.cancel();
    this.liveRun = null;
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
