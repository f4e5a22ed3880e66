// Composition root: wires the real OS into the supervisor, installs signal handlers, runs until shutdown.
import path from 'node:path';
import { installChildRegistry } from './os/child-registry.js';
import { loadLibc, type Libc } from './os/libc.js';
import { ChildEvents } from './os/child-events.js';
import { Reaper } from './os/reaper.js';
import { readOwnChildren, readCmdline } from './os/proc.js';
import { ProcessTable } from './os/process-table.js';
import { tagEnv, TAG_SOCKET, TAG_INSTANCE, TAG_SERVICE, type DaemonTag } from './os/process-tag.js';
import { processPort } from './os/spawn.js';
import { randomInstanceId } from './os/instance-id.js';
import { IdleTrim } from './os/idle-trim.js';
import { accountOf } from './os/identity.js';
import { environmentFileFrom, readSystemEnvironment } from './os/system-environment.js';
import { serviceEnvironment } from './supervisor/service-env.js';
import { loadConfigDirIsolated, loadServiceFileIsolated } from './os/load-config-isolated.js';
import { formatConfigError } from './config/format-error.js';
import type { ServiceConfig } from './config/types.js';
import { createLogger } from './log/logger.js';
import type { Logger } from './log/logger-types.js';
import { LogStore } from './log/log-store.js';
import { FileSink } from './os/log-file-sink.js';
import { ServiceManager } from './supervisor/manager.js';
import { systemClock, type ProcessPort, type TrackedProcess } from './supervisor/ports.js';
import { formatShutdownReport } from './supervisor/shutdown-report.js';
import { serviceSpawnRequest } from './supervisor/spawn-request.js';
import { waitGone } from './supervisor/wait-gone.js';
import { RpcServer } from './ipc/server.js';
import { buildMethods, type ShutdownKind, type ShutdownOutcome } from './ipc/handlers.js';
import { LogFanout } from './ipc/log-fanout.js';
import { TransientRuns } from './supervisor/transient-runs.js';
import { VERSION } from './version.js';

export interface DaemonOptions {
  readonly configDir: string;
  readonly socketPath: string;
  readonly container: boolean;
  readonly bufferLines: number;
  readonly logFormat: 'text' | 'json';
  readonly shutdownSignals: readonly NodeJS.Signals[];
  /** ADDR:PORT for /metrics and /healthz; null = off. */
  readonly metrics: string | null;
  /** The heap limit in force, as `init` applied it. */
  readonly heapLimit?: { readonly limitMiB: number; readonly note: string | null };
}

const SWEEP_WAIT_MS = 5000;

interface ShutdownRequest {
  readonly kind: ShutdownKind;
  readonly exitCode: number;
  readonly why: string;
}

/** Runs the manager in the foreground; resolves with the process exit code once everything is stopped. */
export async function runDaemon(opts: DaemonOptions): Promise<number> {
  const registry = installChildRegistry();
  const logger = createLogger({ format: opts.logFormat });
  const isPid1 = process.pid === 1;

  let resolveRequest: (r: ShutdownRequest) => void = () => undefined;
  const requested = new Promise<ShutdownRequest>((r) => (resolveRequest = r));
  let request: ShutdownRequest | null = null;
  const requestShutdown = (r: ShutdownRequest): void => {
    if (request) {
      logger.warn('shutdown already in progress', { why: r.why });
      return;
    }
    request = r;
    logger.info('shutdown requested', { why: r.why, kind: r.kind });
    resolveRequest(r);
  };
  let publishOutcome: (o: ShutdownOutcome) => void = () => undefined;
  const outcome = new Promise<ShutdownOutcome>((r) => (publishOutcome = r));
  for (const sig of opts.shutdownSignals) process.on(sig, () => requestShutdown({ kind: 'stop', exitCode: 0, why: sig }));
  process.on('uncaughtException', (err) => {
    logger.error('uncaught exception; stopping every service', { error: err.stack ?? String(err) });
    requestShutdown({ kind: 'stop', exitCode: 1, why: 'uncaught exception' });
  });
  process.on('unhandledRejection', (err) => {
    logger.error('unhandled rejection; stopping every service', { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    requestShutdown({ kind: 'stop', exitCode: 1, why: 'unhandled rejection' });
  });

  // Off the main thread, from the first moment: the socket answers while hostile files are parsed, and their heap goes with the worker.
  const loading = loadConfigDirIsolated(opts.configDir);
  loading.catch(() => undefined);
  const reaping = startReaping(logger, registry.has.bind(registry), isPid1);
  const libc = reaping?.libc ?? null;
  // Bursts of work (boot, reload, a wave of restarts) leave freed C heap in glibc's arenas; given back once quiet.
  const idleTrim = new IdleTrim({ trim: () => libc?.mallocTrim() ?? false, clock: systemClock, onTrim: (released) => logger.debug('idle: free memory returned to the system', { released }) });
  const proc: ProcessPort = {
    ...processPort,
    spawn: (req) => {
      idleTrim.activity();
      const h = processPort.spawn(req);
      const exited = (): void => idleTrim.activity();
      void h.exited.then(exited, exited);
      return h;
    },
  };
  const loaded = <T>(p: Promise<T>): Promise<T> => p.finally(() => idleTrim.activity());
  const tag: DaemonTag = { instance: await randomInstanceId(), domain: path.resolve(opts.socketPath) };
  const discovery = process.env.ZINIT_TS_DISCOVERY === 'group' ? 'group' : 'full';
  if (discovery === 'group') logger.warn('ZINIT_TS_DISCOVERY=group: the environment tag is not read, so escaped processes are not found by a stop and leftovers are not recognised; the final sweep still runs (diagnostic mode)');
  const restAtMainExit = process.env.ZINIT_TS_STOP_RULE !== 'start-only';
  if (!restAtMainExit) logger.warn('ZINIT_TS_STOP_RULE=start-only: processes outside the main group get no stop signal when the main process exits (diagnostic mode)');
  // Every process of ours descends from us as PID 1 or as a subreaper: a stop walks that subtree, not the host.
  const table = new ProcessTable({ tag, discovery, scope: isPid1 || reaping?.subreaper === true ? 'subtree' : 'host' });
  const logs = new LogStore({ capacityPerService: opts.bufferLines });
  const files = new Map<string, FileSink>();
  const baseEnv = cleanEnv(process.env);
  const system = await readSystemEnvironment(environmentFileFrom(process.env));
  for (const problem of system.problems) logger.warn(`environment file: ${problem}`);

  const output = (c: ServiceConfig): ((stream: 'stdout' | 'stderr', text: string) => void) | null => {
    if (c.log === 'none') return null;
    if (c.log === 'stdout')
      return (stream, text) => {
        logs.append(c.name, stream, text);
        process.stdout.write(`[${c.name}] ${text}\n`);
      };
    if (c.log === 'file' && c.logFile) {
      let sink = files.get(c.name);
      if (!sink) {
        sink = new FileSink({
          path: path.resolve(c.dir, c.logFile),
          maxSize: c.logMaxSize,
          maxFiles: c.logMaxFiles,
          onError: (err: Error) => logger.error('log file unwritable', { service: c.name, error: err.message }),
          onReopen: (e) => logger.warn(`log file ${e.reason}; reopened`, { service: c.name, path: e.path, ...(e.createdDir ? { createdDir: e.createdDir } : {}) }),
        });
        files.set(c.name, sink);
      }
      const s = sink;
      return (stream, text) => {
        logs.append(c.name, stream, text);
        s.write(stream, text);
      };
    }
    return (stream, text) => void logs.append(c.name, stream, text);
  };
  // One environment for the main process, the probe and post_stop of a service.
  const envFor = (c: ServiceConfig): Record<string, string> =>
    serviceEnvironment(c, { daemon: baseEnv, system: system.vars, account: c.uid === null ? null : accountOf(c.uid), tag: tagEnv(tag, c.name) });

  const runPostStop = async (c: ServiceConfig): Promise<void> => {
    if (!c.postStopArgv) return;
    const h = proc.spawn(serviceSpawnRequest({ env: envFor, output }, c, 'post-stop', c.postStopArgv));
    const timer = setTimeout(() => h.pid > 0 && processPort.signalGroup(h.pid, 'SIGKILL'), c.shutdownTimeoutMs);
    const status = await h.exited;
    clearTimeout(timer);
    logger.info('post_stop finished', { service: c.name, code: status.code, signal: status.signal, ...(h.spawnError ? { error: h.spawnError } : {}) });
  };

  const manager = new ServiceManager({
    proc,
    table,
    clock: systemClock,
    logger,
    childEvents: reaping?.childEvents ?? new ChildEvents(false),
    restAtMainExit,
    env: envFor,
    output,
    runPostStop,
    onCriticalFailure: (service, code) => {
      logger.error('critical service failed', { service, exitCode: code });
      if (opts.container) requestShutdown({ kind: 'stop', exitCode: code, why: `critical service ${service} failed` });
    },
  });
  const runs = new TransientRuns({ proc, table, clock: systemClock, logger, env: (name) => ({ ...baseEnv, ...tagEnv(tag, name) }) });

  const server = new RpcServer({
    path: opts.socketPath,
    logger,
    methods: buildMethods({
      manager,
      logs,
      followers: new LogFanout(logs),
      table,
      runs,
      version: VERSION,
      loadConfig: () => loaded(loadConfigDirIsolated(opts.configDir)),
      loadService: (name) => loaded(loadServiceFileIsolated(opts.configDir, name)),
      requestShutdown: (kind) => {
        requestShutdown({ kind, exitCode: 0, why: `${kind} requested over the control socket` });
        return outcome;
      },
      commandLine: readCmdline,
    }),
  });
  try {
    await server.listen();
  } catch (err) {
    logger.error('cannot open the control socket', { error: (err as Error).message });
    return 1;
  }
  logger.info('zinit-ts started', { version: VERSION, pid: process.pid, socket: opts.socketPath, config: opts.configDir, container: opts.container, pid1: isPid1, heapLimitMiB: opts.heapLimit?.limitMiB ?? null });
  if (opts.heapLimit?.note) logger.warn(`heap limit: ${opts.heapLimit.note}`, { heapLimitMiB: opts.heapLimit.limitMiB });

  await killLeftovers(table, logger);

  let metrics: { close(): Promise<void>; port: number } | null = null;
  if (opts.metrics) {
    try {
      // Loaded only when asked for: prom-client is a tenth of the idle footprint.
      const { startMetricsServer } = await import('./ipc/metrics-server.js');
      metrics = await startMetricsServer(opts.metrics, { manager, table, reaped: () => reaping?.reaped() ?? 0 });
      logger.info('metrics served', { listen: opts.metrics, port: metrics.port });
    } catch (err) {
      logger.error('cannot serve metrics', { listen: opts.metrics, error: (err as Error).message });
    }
  }

  try {
    const { services, errors } = await loading;
    idleTrim.activity();
    for (const e of errors) logger.error(`invalid service file, skipped: ${formatConfigError(e)}`, { service: e.service });
    manager.load(services, errors);
    logger.info('services loaded', { count: services.size, invalid: new Set(errors.map((e) => e.service)).size });
    // A diagnostic only: its thread and module are loaded when asked for.
    if (process.env.ZINIT_TS_REAPER === 'naive') (await import('./os/naive-reaper.js')).startNaiveReaper();
    manager.startAll();
  } catch (err) {
    logger.error((err as Error).message);
    requestShutdown({ kind: 'stop', exitCode: 1, why: 'configuration could not be read' });
  }

  const req = await requested;
  // A container's log shows what the shutdown waits on, once a second.
  const progress = setInterval(() => {
    const waiting = manager.stopping();
    if (waiting.length === 0) return;
    const parts = waiting.map((w) => (w.msLeft === null ? `${w.name} (SIGKILL sent)` : `${w.name} (SIGKILL in ${(w.msLeft / 1000).toFixed(1)} s)`));
    logger.info(`shutdown in progress, waiting for: ${parts.join(', ')}`);
  }, 1000);
  const report = await manager.shutdown();
  clearInterval(progress);
  await runs.killAll();
  const sweep = await sweepLeftovers(table, logger, isPid1);
  await manager.runPostStopHooks(report.services);
  const reportLines = formatShutdownReport(report, sweep.killed, sweep.remaining).split('\n');
  for (const line of reportLines) logger.info(line);
  publishOutcome({
    report: reportLines,
    durationMs: Math.round(report.durationMs),
    sigkilled: report.services.filter((s) => s.sigkill).map((s) => s.service),
    swept: sweep.killed,
    remaining: sweep.remaining.length,
  });
  // One turn for the answers to clients waiting on the shutdown to be written before the socket closes.
  await new Promise((resolve) => setImmediate(resolve));
  await Promise.all([...files.values()].map((f) => f.close()));
  await server.close();
  await metrics?.close();

  if (isPid1 && !opts.container && (req.kind === 'poweroff' || req.kind === 'reboot') && libc) {
    libc.sync();
    libc.reboot(req.kind);
  }
  return req.exitCode;
}

function startReaping(logger: Logger, isManaged: (pid: number) => boolean, isPid1: boolean): { libc: Libc; reaped: () => number; subreaper: boolean; childEvents: ChildEvents } | null {
  const loaded = loadLibc();
  if ('error' in loaded) {
    logger.error(loaded.error);
    return null;
  }
  const { libc } = loaded;
  if (process.env.ZINIT_TS_REAPER === 'off') {
    logger.warn('ZINIT_TS_REAPER=off: orphans will not be reaped (diagnostic mode)');
    return { libc, reaped: () => 0, subreaper: false, childEvents: new ChildEvents(false) };
  }
  let subreaper = false;
  if (!isPid1) {
    try {
      libc.setChildSubreaper();
      subreaper = true;
    } catch (err) {
      logger.warn('cannot become a child subreaper; orphans of services will not come back to zinit-ts', { error: (err as Error).message });
    }
  }
  if (process.env.ZINIT_TS_REAPER === 'naive') {
    // Started once the services are loaded (see runDaemon): it would take the config loader's exit too.
    logger.warn('ZINIT_TS_REAPER=naive: orphans are reaped by waitpid(-1), which steals the exits of managed processes (diagnostic mode)');
    return { libc, reaped: () => 0, subreaper, childEvents: new ChildEvents(false) };
  }
  // A failed pass (an unreadable /proc, say) is logged and retried by the next signal or the safety net: never a shutdown.
  // Stops wait for child exits: told after each pass, their walks of /proc no longer meet the orphans just reaped.
  const childEvents = new ChildEvents(true);
  const reaper = new Reaper({
    libc,
    isManaged,
    listOwnChildren: () => readOwnChildren(),
    onPass: () => childEvents.notify(),
    onError: (err) => logger.error('reaping pass failed', { error: err instanceof Error ? err.message : String(err) }),
  });
  reaper.start();
  return { libc, reaped: () => reaper.stats.reaped, subreaper, childEvents };
}

async function killLeftovers(table: ProcessTable, logger: Logger): Promise<void> {
  const left = table.leftovers();
  if (left.length === 0) return;
  for (const p of left)
    logger.warn('leftover of a previous zinit-ts found; killing it', { pid: p.pid, service: p.service, instance: p.instance, command: commandOf(p.pid) });
  table.signal(left, 'SIGKILL');
  const remaining = await waitGone(table, systemClock, left, SWEEP_WAIT_MS);
  if (remaining.length > 0) logger.error('leftovers that would not die', { pids: remaining.map((p) => p.pid) });
}

async function sweepLeftovers(table: ProcessTable, logger: Logger, isPid1: boolean): Promise<{ killed: number; remaining: TrackedProcess[] }> {
  let killed = 0;
  let remaining: TrackedProcess[] = [];
  const deadline = Date.now() + SWEEP_WAIT_MS;
  // Each pass sees what the previous one's kills revealed (a parent's death reparents its children to us).
  for (;;) {
    const found = isPid1 ? table.everything() : table.ours();
    const fresh = found.filter((p) => p.state !== 'Z');
    if (fresh.length === 0) return { killed, remaining: [] };
    for (const p of fresh) if (!remaining.some((r) => r.pid === p.pid)) logger.warn('killing leftover process', { pid: p.pid, command: commandOf(p.pid) });
    killed += table.signal(fresh, 'SIGKILL');
    remaining = await waitGone(table, systemClock, fresh, Math.min(500, Math.max(0, deadline - Date.now())));
    if (Date.now() >= deadline) break;
  }
  for (const p of remaining) logger.error('process could not be killed', { pid: p.pid, state: p.state, command: commandOf(p.pid) });
  return { killed, remaining };
}

function commandOf(pid: number): string {
  return readCmdline(pid).join(' ');
}

function cleanEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && k !== TAG_SERVICE && k !== TAG_INSTANCE && k !== TAG_SOCKET) out[k] = v;
  return out;
}
