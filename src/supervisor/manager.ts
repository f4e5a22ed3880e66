// The set of services: dependency gating with reasons, operator commands, reload, and ordered parallel shutdown.
import type { ConfigError, ServiceConfig } from '../config/types.js';
import { ServiceAlreadyMonitoredError, ServiceIsDownError, ServiceIsUpError, ServiceNotFoundError, ShuttingDownError } from '../errors/errors.js';
import { buildDependencyGraph, type DependencyGraph } from '../graph/dependency-graph.js';
import { ServiceRunner, type RunnerDeps, type StopReport } from './service-runner.js';
import { hasProcess, satisfiesDependents, type State, type Target } from './state.js';
import { exitCodeOf } from './signal-number.js';

export interface ManagerDeps extends Omit<RunnerDeps, 'onChange'> {
  /** A critical service failed for good (or a critical oneshot failed) with this exit code. */
  readonly onCriticalFailure?: (service: string, exitCode: number) => void;
  /** Every state change, for metrics and log followers. */
  readonly onServiceChange?: (runner: ServiceRunner) => void;
  /** Runs a service's post_stop command once all its processes are gone. */
  readonly runPostStop?: (config: ServiceConfig) => Promise<void>;
}

export interface ServiceStatus {
  readonly name: string;
  readonly pid: number | null;
  readonly state: State;
  readonly target: Target;
  readonly after: Readonly<Record<string, State>>;
  readonly exit: { readonly code: number | null; readonly signal: NodeJS.Signals | null } | null;
  readonly restarts: number;
  readonly reason: string | null;
  readonly oneshot: boolean;
}

export interface ShutdownReport {
  readonly services: readonly StopReport[];
  readonly durationMs: number;
}

export interface ReloadResult {
  readonly added: string[];
  readonly removed: string[];
  readonly changed: string[];
  readonly errors: ConfigError[];
}

export class ServiceManager {
  private readonly runners = new Map<string, ServiceRunner>();
  /** Services whose file failed to load, with the first error, so their dependents can say why they wait. */
  private readonly broken = new Map<string, string>();
  private graph: DependencyGraph = buildDependencyGraph([]);
  private evaluateQueued = false;
  private shutdownPromise: Promise<ShutdownReport> | null = null;
  private readonly criticalReported = new Set<string>();

  constructor(private readonly deps: ManagerDeps) {}

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
  load(services: ReadonlyMap<string, ServiceConfig>, errors: readonly ConfigError[]): void {
    this.setBroken(errors);
    for (const config of services.values()) this.add(config);
    this.rebuildGraph();
  }

  startAll(): void {
    for (const r of this.runners.values()) r.requestStart();
    this.scheduleEvaluate();
  }

  start(name: string): void {
    this.refuseDuringShutdown();
    const r = this.runner(name);
    if (hasProcess(r.state) && r.target === 'Up' && !r.isStopping) throw new ServiceIsUpError(name, 'running');
    r.requestStart();
    this.scheduleEvaluate();
  }

  async stop(name: string): Promise<StopReport> {
    const r = this.runner(name);
    const report = await r.stop();
    if (report.hadProcess) await this.deps.runPostStop?.(r.config);
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
  monitor(config: ServiceConfig): void {
    this.refuseDuringShutdown();
    if (this.runners.has(config.name)) throw new ServiceAlreadyMonitoredError(config.name);
    this.broken.delete(config.name);
    this.add(config).requestStart();
    this.rebuildGraph();
    this.scheduleEvaluate();
  }

  /** Drop a stopped service. */
  forget(name: string): void {
    const r = this.runner(name);
    if (r.target === 'Up' || hasProcess(r.state) || r.isStopping)
      throw new ServiceIsUpError(name, 'not-stopped');
    r.dispose();
    this.runners.delete(name);
    this.rebuildGraph();
    this.scheduleEvaluate();
  }

  /** Apply a re-read config directory: new files start, removed ones stop and are forgotten, changed ones restart. */
  async reload(services: ReadonlyMap<string, ServiceConfig>, errors: readonly ConfigError[]): Promise<ReloadResult> {
    this.refuseDuringShutdown();
    const erroredNames = new Set(errors.map((e) => e.service));
    const added: string[] = [];
    const removed: string[] = [];
    const changed: string[] = [];
    for (const name of this.names()) {
      // A file that exists but no longer parses keeps its running service: the error is reported, nothing is lost.
      if (!services.has(name) && !erroredNames.has(name)) removed.push(name);
    }
    for (const [name, config] of services) {
      const r = this.runners.get(name);
      if (!r) added.push(name);
      else if (!sameConfig(r.config, config)) changed.push(name);
    }
    this.setBroken(errors);
    await Promise.all(
      removed.map(async (name) => {
        await this.stop(name);
        this.runner(name).dispose();
        this.runners.delete(name);
      }),
    );
    await Promise.all(
      changed.map(async (name) => {
        const r = this.runner(name);
        const wasUp = r.target === 'Up';
        await this.stop(name);
        const config = services.get(name);
        if (config) r.config = config;
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
    const after: Record<string, State> = {};
    for (const dep of r.config.after) after[dep] = this.runners.get(dep)?.state ?? 'Unknown';
    return {
      name,
      pid: r.pid,
      state: r.state,
      target: r.target,
      after,
      exit: r.lastExit ? { code: r.lastExit.code, signal: r.lastExit.signal } : null,
      restarts: r.restarts,
      reason: r.state === 'Blocked' ? r.blockedReason : null,
      oneshot: r.config.oneshot,
    };
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
    const memo = new Map<string, Promise<StopReport>>();
    const stopOne = (name: string): Promise<StopReport> => {
      const known = memo.get(name);
      if (known) return known;
      const dependents = this.graph.inCycle.has(name) ? [] : this.graph.dependents(name).filter((d) => this.runners.has(d));
      const p = Promise.all(dependents.map(stopOne)).then(() => this.runner(name).stop());
      memo.set(name, p);
      return p;
    };
    this.shutdownPromise = Promise.all(this.names().map(stopOne)).then((services) => ({
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
  async runPostStopHooks(reports: readonly StopReport[]): Promise<void> {
    const run = this.deps.runPostStop;
    if (!run) return;
    await Promise.all(
      reports.filter((r) => r.hadProcess && this.runners.get(r.service)?.config.postStop).map((r) => run(this.runner(r.service).config)),
    );
  }

  private add(config: ServiceConfig): ServiceRunner {
    const r = new ServiceRunner(config, { ...this.deps, onChange: (x) => this.onChange(x) });
    this.runners.set(config.name, r);
    return r;
  }

  private setBroken(errors: readonly ConfigError[]): void {
    this.broken.clear();
    for (const e of errors) if (!this.broken.has(e.service)) this.broken.set(e.service, e.message);
  }

  private rebuildGraph(): void {
    this.graph = buildDependencyGraph([...this.runners.values()].map((r) => ({ name: r.name, after: r.config.after })));
  }

  private refuseDuringShutdown(): void {
    if (this.shuttingDown) throw new ShuttingDownError();
  }

  private onChange(r: ServiceRunner): void {
    this.deps.onServiceChange?.(r);
    this.checkCritical(r);
    this.scheduleEvaluate();
  }

  private checkCritical(r: ServiceRunner): void {
    if (!r.config.critical || this.shuttingDown || this.criticalReported.has(r.name)) return;
    const failed = r.state === 'Failure' || (r.config.oneshot && r.state === 'Error');
    if (!failed) return;
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
      const reason = this.blockReason(r);
      if (reason === null) r.spawn();
      else if (r.state !== 'Blocked' || r.blockedReason !== reason) r.block(reason);
    }
  }

  private blockReason(r: ServiceRunner): string | null {
    const cycle = this.graph.cycles.find((c) => c.includes(r.name));
    if (cycle) return `dependency cycle: ${cycle.join(' → ')}; remove one of these \`after\` entries`;
    for (const dep of r.config.after) {
      const broken = this.broken.get(dep);
      if (broken !== undefined && !this.runners.has(dep)) return `dependency "${dep}" has an invalid service file: ${broken}`;
      const d = this.runners.get(dep);
      if (!d) return `dependency "${dep}" is not defined; add ${dep}.yaml or remove it from \`after\``;
      if (satisfiesDependents(d.state, d.config.oneshot)) continue;
      if (d.state === 'Failure' || (d.config.oneshot && d.state === 'Error')) {
        const e = d.lastExit;
        const how = e ? (e.signal ? `killed by ${e.signal}` : `exit code ${e.code}`) : 'never ran';
        return `dependency "${dep}" failed (${d.state}, ${how}); start it again with \`zinit-ts start ${dep}\``;
      }
      if (d.target === 'Down') return `dependency "${dep}" is stopped; start it with \`zinit-ts start ${dep}\``;
      return `waiting for "${dep}" (${d.state})`;
    }
    return null;
  }
}

function sameConfig(a: ServiceConfig, b: ServiceConfig): boolean {
  const strip = (c: ServiceConfig): string => JSON.stringify({ ...c, source: '' });
  return strip(a) === strip(b);
}
