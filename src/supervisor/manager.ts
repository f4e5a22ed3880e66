// The set of services: dependency gating with reasons, operator commands, reload, and ordered parallel shutdown.
import { formatConfigError } from '../config/format-error.js';
import type { ConfigError, ConfigWarning, ServiceConfig } from '../config/types.js';
import { ServiceAlreadyMonitoredError, ServiceIsDownError, ServiceIsUpError, ServiceNotFoundError, ShuttingDownError } from '../errors/errors.js';
import { buildDependencyGraph, type DependencyGraph } from '../graph/dependency-graph.js';
import { ServiceRunner, type RunnerDeps, type StopReport } from './service-runner.js';
import { failedForGood, hasProcess } from './state.js';
import { exitCodeOf } from './signal-number.js';
import { statusOf, type ServiceStatus } from './service-status.js';
import type { Containment, ContainmentPort } from './containment.js';
import { planReload, type ReloadResult } from './reload-plan.js';
import { blockReason } from './block-reason.js';
import { stopInDependencyOrder } from './ordered-stop.js';

export interface ManagerDeps extends Omit<RunnerDeps, 'onChange'> {
  /** cgroup mode or /proc discovery, and what becomes of each service's limits; absent: /proc, nothing said. */
  readonly containment?: ContainmentPort;
  /** A critical service failed for good (or a critical oneshot failed) with this exit code. */
  readonly onCriticalFailure?: (service: string, exitCode: number) => void;
  /** Runs a service's post_stop command once all its processes are gone. */
  readonly postStopHook?: (config: ServiceConfig) => Promise<void>;
}

export interface ShutdownReport {
  readonly services: readonly StopReport[];
  readonly durationMs: number;
}

export class ServiceManager {
  private readonly runners = new Map<string, ServiceRunner>();
  /** Services whose file failed to load, with the first error, so their dependents can say why they wait. */
  private readonly broken = new Map<string, string>();
  /** What each service's file warned about when it was last loaded, for its status. */
  private readonly warnings = new Map<string, readonly string[]>();
  private graph: DependencyGraph = buildDependencyGraph([]);
  private evaluateQueued = false;
  private shutdownPromise: Promise<ShutdownReport> | null = null;
  private readonly criticalReported = new Set<string>();
  private readonly listeners = new Set<(runner: ServiceRunner) => void>();
  /** The run (ServiceRunner.runs) whose post_stop was done last, per service. */
  private readonly postStopped = new WeakMap<ServiceRunner, { readonly run: number; readonly promise: Promise<void> }>();

  constructor(private readonly deps: ManagerDeps) {}

  /** Which way the services' processes are kept track of; null when nothing was said (tests). */
  get containment(): Containment | null {
    return this.deps.containment?.mode ?? null;
  }

  get shuttingDown(): boolean {
    return this.shutdownPromise !== null;
  }

  names(): string[] {
    return [...this.runners.keys()].sort();
  }

  has(name: string): boolean {
    return this.runners.has(name);
  }

  runner(name: string): ServiceRunner {
    const r = this.runners.get(name);
    if (!r) throw new ServiceNotFoundError(name);
    return r;
  }

  /** Load the initial set: every valid service gets target Up. */
  load(services: ReadonlyMap<string, ServiceConfig>, errors: readonly ConfigError[], warnings: readonly ConfigWarning[] = []): void {
    this.setBroken(errors);
    this.noteWarnings(services.keys(), warnings);
    for (const config of services.values()) this.add(config);
    this.rebuildGraph();
  }

  startAll(): void {
    for (const r of this.runners.values()) r.requestStart();
    this.scheduleEvaluate();
  }

  /** A service already up is left as it is (zinit answers such a start with success too). */
  start(name: string): void {
    this.refuseDuringShutdown();
    const r = this.runner(name);
    if (hasProcess(r.state) && r.target === 'Up' && !r.isStopping) return;
    r.requestStart();
    this.scheduleEvaluate();
  }

  async stop(name: string): Promise<StopReport> {
    const r = this.runner(name);
    const run = r.runs;
    const report = await r.stop();
    await this.postStopOnce(r, report, run);
    return report;
  }

  async restart(name: string): Promise<void> {
    this.refuseDuringShutdown();
    await this.stop(name);
    this.start(name);
  }

  kill(name: string, signal: NodeJS.Signals): void {
    const r = this.runner(name);
    if (!r.kill(signal)) throw new ServiceIsDownError(name, 'signal');
  }

  /** Add a service loaded later (`monitor`); it starts like any other. */
  monitor(config: ServiceConfig, warnings: readonly ConfigWarning[] = []): void {
    this.refuseDuringShutdown();
    if (this.runners.has(config.name)) throw new ServiceAlreadyMonitoredError(config.name);
    this.broken.delete(config.name);
    this.noteWarnings([config.name], warnings);
    this.add(config).requestStart();
    this.rebuildGraph();
    this.scheduleEvaluate();
  }

  /** Drop a stopped service. */
  forget(name: string): void {
    const r = this.runner(name);
    if (r.target === 'Up' || hasProcess(r.state) || r.isStopping)
      throw new ServiceIsUpError(name);
    r.dispose();
    this.runners.delete(name);
    this.warnings.delete(name);
    this.rebuildGraph();
    this.scheduleEvaluate();
  }

  /** Apply a re-read config directory: new files start, removed ones stop and are forgotten, changed ones restart. */
  async reload(services: ReadonlyMap<string, ServiceConfig>, errors: readonly ConfigError[], warnings: readonly ConfigWarning[] = []): Promise<ReloadResult> {
    this.refuseDuringShutdown();
    const { added, removed, changed } = planReload(this.names(), (name) => this.runners.get(name)?.config, services, errors);
    this.setBroken(errors);
    // A file whose only change is a warning fixed or added is not a changed service: its status just follows.
    this.noteWarnings(services.keys(), warnings);
    await Promise.all(
      removed.map(async (name) => {
        await this.stop(name);
        this.runner(name).dispose();
        this.runners.delete(name);
        this.warnings.delete(name);
      }),
    );
    await Promise.all(
      changed.map(async (name) => {
        const r = this.runner(name);
        const wasUp = r.target === 'Up';
        await this.stop(name);
        const config = services.get(name);
        if (config) {
          r.config = config;
          this.tellLimits(config);
        }
        if (wasUp) r.requestStart();
      }),
    );
    for (const name of added) {
      const config = services.get(name);
      if (config) this.add(config).requestStart();
    }
    this.rebuildGraph();
    this.scheduleEvaluate();
    return { added, removed, changed, errors: [...errors] };
  }

  status(name: string): ServiceStatus {
    const r = this.runner(name);
    return statusOf(r, this.runners, this.warnings.get(name), this.deps.containment?.ofService(r.config) ?? null);
  }

  list(): ServiceStatus[] {
    return this.names().map((n) => this.status(n));
  }

  /**
   * Stop everything: a service stops once every service that depends on it has stopped, so
   * independent chains stop in parallel and the total follows the longest chain.
   */
  shutdown(): Promise<ShutdownReport> {
    if (this.shutdownPromise) return this.shutdownPromise;
    const t0 = this.deps.clock.now();
    for (const r of this.runners.values()) {
      r.target = 'Down';
      r.wantStart = false;
    }
    const stopped = stopInDependencyOrder(this.names(), this.graph, this.runners, (name) => this.runner(name));
    this.shutdownPromise = stopped.then((services) => ({
      services,
      durationMs: this.deps.clock.now() - t0,
    }));
    return this.shutdownPromise;
  }

  /** Services whose stop is under way, with the time left before SIGKILL (null once it was sent). */
  stopping(): { name: string; msLeft: number | null }[] {
    const now = this.deps.clock.now();
    return [...this.runners.values()]
      .filter((r) => r.isStopping)
      .map((r) => ({ name: r.name, msLeft: r.stopDeadline === null ? null : Math.max(0, r.stopDeadline - now) }));
  }

  /** Run every post_stop hook of services that had processes; after the final sweep at shutdown. */
  async postStopAfterSweep(reports: readonly StopReport[]): Promise<void> {
    await Promise.all(
      reports.filter((r) => this.runners.get(r.service)?.config.postStop).map((report) => {
        const r = this.runner(report.service);
        return this.postStopOnce(r, report, r.runs);
      }),
    );
  }

  /** A limit the kernel will not enforce is said once per load of the file, with why. */
  private tellLimits(config: ServiceConfig): void {
    const { notEnforced } = this.deps.containment?.ofService(config).limits ?? { notEnforced: [] };
    const first = notEnforced[0];
    if (first !== undefined) this.deps.logger.warn(`limit not enforced: ${first.why}`, { service: config.name, limits: notEnforced.map((n) => n.key).join(',') });
  }

  private add(config: ServiceConfig): ServiceRunner {
    this.tellLimits(config);
    const r = new ServiceRunner(config, { ...this.deps, onChange: (x) => this.onChange(x), onLivenessFailure: (x, error) => void this.restartUnhealthy(x, error) });
    this.runners.set(config.name, r);
    return r;
  }

  /**
   * The liveness probe failed live_failures times in a row: the service is restarted as `restart`
   * would (stop signal, its timeout, SIGKILL, post_stop), unless a stop or start by request, a
   * reload or the shutdown comes first.
   */
  private async restartUnhealthy(r: ServiceRunner, error: string): Promise<void> {
    if (this.shuttingDown || r.target !== 'Up' || this.runners.get(r.name) !== r || r.isStopping) return;
    this.deps.logger.error('liveness probe failed; restarting the service', { service: r.name, failures: r.liveFailuresInRow, error });
    const run = r.runs;
    // Its post_stop belongs to this stop, whatever comes next (a shutdown's own stop then finds nothing).
    await r.restartUnhealthy((report) => this.postStopOnce(r, report, run));
  }

  /**
   * A run's post_stop, once, however many stops of that run found processes (a stop by request
   * during a liveness restart): a later caller waits for the same one.
   */
  private postStopOnce(r: ServiceRunner, report: StopReport, run: number): Promise<void> {
    const done = this.postStopped.get(r);
    if (done?.run === run) return done.promise;
    if (!report.hadProcess || !this.deps.postStopHook) return Promise.resolve();
    const promise = this.deps.postStopHook(r.config).catch((err: unknown) => {
      this.deps.logger.error('post_stop failed', { service: r.name, error: err instanceof Error ? err.message : String(err) });
    });
    this.postStopped.set(r, { run, promise });
    return promise;
  }

  private setBroken(errors: readonly ConfigError[]): void {
    this.broken.clear();
    for (const e of errors) if (!this.broken.has(e.service)) this.broken.set(e.service, e.message);
  }

  /**
   * Logs every warning of a load once, of skipped files too; keeps those of the services `loaded`
   * (a service loaded without warnings loses the ones it had).
   */
  private noteWarnings(loaded: Iterable<string>, warnings: readonly ConfigWarning[]): void {
    const byService = new Map<string, string[]>();
    for (const w of warnings) {
      const line = formatConfigError(w);
      this.deps.logger.warn(`service file warning: ${line}`, { service: w.service });
      const list = byService.get(w.service);
      if (list === undefined) byService.set(w.service, [line]);
      else list.push(line);
    }
    for (const name of loaded) {
      const kept = byService.get(name);
      if (kept === undefined) this.warnings.delete(name);
      else this.warnings.set(name, kept);
    }
  }

  private rebuildGraph(): void {
    this.graph = buildDependencyGraph([...this.runners.values()].map((r) => ({ name: r.name, after: r.config.after })));
  }

  private refuseDuringShutdown(): void {
    if (this.shuttingDown) throw new ShuttingDownError();
  }

  /** Calls `fn` after every state change of any service until the returned function is called. */
  subscribe(fn: (runner: ServiceRunner) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private onChange(r: ServiceRunner): void {
    for (const fn of this.listeners) fn(r);
    this.checkCritical(r);
    this.scheduleEvaluate();
  }

  private checkCritical(r: ServiceRunner): void {
    if (!r.config.critical || this.shuttingDown || this.criticalReported.has(r.name)) return;
    if (!failedForGood(r.state, r.config.oneshot)) return;
    this.criticalReported.add(r.name);
    const code = r.lastExit ? exitCodeOf(r.lastExit) : 1;
    this.deps.onCriticalFailure?.(r.name, code === 0 ? 1 : code);
  }

  private scheduleEvaluate(): void {
    if (this.evaluateQueued) return;
    this.evaluateQueued = true;
    queueMicrotask(() => {
      this.evaluateQueued = false;
      this.evaluate();
    });
  }

  /** Start every service that wants to start and whose dependencies allow it; say why the others wait. */
  private evaluate(): void {
    if (this.shuttingDown) return;
    for (const r of this.runners.values()) {
      if (r.target !== 'Up' || !r.wantStart || hasProcess(r.state) || r.isStopping) continue;
      const refusal = this.deps.containment?.refusal(r.config) ?? null;
      if (refusal !== null && r.blockedReason !== refusal) this.deps.logger.warn('service not started', { service: r.name, reason: refusal });
      const reason = refusal ?? blockReason(r, { graph: this.graph, runners: this.runners, broken: this.broken });
      if (reason === null) r.spawn();
      else if (r.state !== 'Blocked' || r.blockedReason !== reason) r.block(reason);
    }
  }
}
