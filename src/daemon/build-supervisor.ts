// The supervisor and what it stands on: our process tag and table, the log rings and files, the services' environment, post_stop.
import path from 'node:path';
import type { ServiceConfig } from '../config/types.js';
import type { Logger } from '../log/logger-types.js';
import { LogStore } from '../log/log-store.js';
import { ChildEvents } from '../os/child-events.js';
import { randomInstanceId } from '../os/instance-id.js';
import { FileSink } from '../os/log-file-sink.js';
import { createNotifySockets } from '../os/notify-socket.js';
import { ProcessTable, type ProcessTableOptions } from '../os/process-table.js';
import { CgroupTable } from '../os/cgroup-table.js';
import { containedSpawn } from '../os/contained-spawn.js';
import type { ContainmentChoice } from './containment-setup.js';
import { tagEnv, type DaemonTag } from '../os/process-tag.js';
import { environmentFileFrom, readSystemEnvironment } from '../os/system-environment.js';
import { ServiceManager } from '../supervisor/manager.js';
import { systemClock } from '../supervisor/ports.js';
import { TransientRuns } from '../supervisor/transient-runs.js';
import type { IdleActivity } from './idle-activity.js';
import { lazyNetProbe } from './lazy-net-probe.js';
import { OutputRouting } from './output-routing.js';
import { postStopRunner } from './post-stop.js';
import { daemonEnvironment, environmentOf } from './service-environment.js';
import type { ShutdownRequests } from './shutdown-requests.js';
import type { Reaping } from './start-reaper.js';

export interface Supervision {
  readonly manager: ServiceManager;
  readonly transientRuns: TransientRuns;
  readonly table: ProcessTable;
  readonly logs: LogStore;
  readonly output: OutputRouting;
  readonly activity: IdleActivity;
}

export interface SupervisorSettings {
  readonly socketPath: string;
  readonly bufferLines: number;
  /** A critical service's failure stops the daemon, with its exit code. */
  readonly container: boolean;
  /** `init --environment-file`: read instead of /etc/environment; undefined leaves the choice to the environment. */
  readonly environmentFile?: string | undefined;
}

export interface SupervisorGround {
  readonly logger: Logger;
  readonly isPid1: boolean;
  readonly reaping: Reaping | null;
  readonly activity: IdleActivity;
  readonly shutdown: ShutdownRequests;
  /** cgroup mode (with its layout) or /proc discovery. */
  readonly containment: ContainmentChoice;
}

export async function buildSupervisor(opts: SupervisorSettings, ground: SupervisorGround): Promise<Supervision> {
  const { logger, isPid1, reaping, activity, shutdown, containment } = ground;
  const { layout, setpriv } = containment;
  // cgroup mode: every process enters its service's leaf before its program runs.
  const proc = layout === null ? activity.proc : { ...activity.proc, spawn: containedSpawn({ layout, setpriv, spawn: (req) => activity.proc.spawn(req) }) };
  const tag: DaemonTag = { instance: await randomInstanceId(), domain: path.resolve(opts.socketPath) };
  const discovery = process.env.ZINIT_TS_DISCOVERY === 'group' ? 'group' : 'full';
  if (discovery === 'group') logger.warn('ZINIT_TS_DISCOVERY=group: the environment tag is not read, so escaped processes are not found by a stop and leftovers are not recognised; the final sweep still runs (diagnostic mode)');
  const restAtMainExit = process.env.ZINIT_TS_STOP_RULE !== 'start-only';
  if (!restAtMainExit) logger.warn('ZINIT_TS_STOP_RULE=start-only: processes outside the main group get no stop signal when the main process exits (diagnostic mode)');
  // Every process of ours descends from us as PID 1 or as a subreaper: a stop walks that subtree, not the host.
  const tableOptions: ProcessTableOptions = { tag, discovery, scope: isPid1 || reaping?.subreaper === true ? ('subtree' as const) : ('host' as const) };
  const table = layout === null ? new ProcessTable(tableOptions) : new CgroupTable({ ...tableOptions, layout });
  const logs = new LogStore({ capacityPerService: opts.bufferLines });
  const output = new OutputRouting({
    ring: (service, stream, text) => void logs.append(service, stream, text),
    ringStart: (service) => void logs.markStart(service),
    daemonOutput: (stream, line) => void (stream === 'stdout' ? process.stdout : process.stderr).write(line),
    openFile: (c, logFile) =>
      new FileSink({
        path: path.resolve(c.dir, logFile),
        maxSize: c.logMaxSize,
        maxFiles: c.logMaxFiles,
        onError: (err: Error) => logger.error('log file unwritable', { service: c.name, error: err.message }),
        onReopen: (e) => logger.warn(`log file ${e.reason}; reopened`, { service: c.name, path: e.path, ...(e.createdDir ? { createdDir: e.createdDir } : {}) }),
      }),
  });
  const baseEnv = daemonEnvironment(process.env);
  const system = await readSystemEnvironment(environmentFileFrom(opts.environmentFile, process.env));
  for (const problem of system.problems) logger.warn(`environment file: ${problem}`);
  const processes = { env: environmentOf({ daemon: baseEnv, system: system.vars, tag }), output: (c: ServiceConfig) => output.outputOf(c) };

  const manager = new ServiceManager({
    proc,
    table,
    clock: systemClock,
    logger,
    childEvents: reaping?.childEvents ?? new ChildEvents(false),
    restAtMainExit,
    containment: containment.port,
    ...processes,
    onSpawned: (c) => output.processStarted(c),
    netProbe: lazyNetProbe(async () => (await import('../os/net-probe.js')).netProbePort),
    notify: createNotifySockets({ onWarning: (service, message) => logger.warn(`notify socket: ${message}`, { service }) }),
    postStopHook: postStopRunner({ proc, clock: systemClock, logger, processes }),
    onCriticalFailure: (service, code) => {
      logger.error('critical service failed', { service, exitCode: code });
      if (opts.container) shutdown.request({ kind: 'stop', exitCode: code, why: `critical service ${service} failed` });
    },
  });
  const transientRuns = new TransientRuns({ proc, table, clock: systemClock, logger, env: (name) => ({ ...baseEnv, ...tagEnv(tag, name) }) });
  return { manager, transientRuns, table, logs, output, activity };
}
