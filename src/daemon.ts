// Composition root: wires the real OS into the supervisor, installs signal handlers, runs until shutdown.
import { fileURLToPath } from 'node:url';
import { installChildRegistry } from './os/child-registry.js';
import { loadConfigDirIsolated, setConfigLoaderEntry } from './os/load-config-isolated.js';
import { createLogger, type LogLevel } from './log/logger.js';
import { announceStart } from './daemon/announce-start.js';
import { buildSupervisor } from './daemon/build-supervisor.js';
import { closeEverything } from './daemon/close-everything.js';
import { chooseContainment, type ContainmentChoice } from './daemon/containment-setup.js';
import { messageOf } from './errors/message-of.js';
import { bindControlSocket } from './daemon/control-socket.js';
import { HttpRpc } from './daemon/http-rpc.js';
import { DEFAULT_HTTP_OPTIONS, type HttpOptions } from './ipc/http/http-options.js';
import { trimWhenIdle } from './daemon/idle-activity.js';
import { killLeftovers } from './daemon/leftovers.js';
import { loadServices } from './daemon/load-services.js';
import { installPid1Duties } from './daemon/pid1-duties.js';
import { powerOffIfAsked } from './daemon/power-off.js';
import { reportShutdown } from './daemon/report-shutdown.js';
import { serveMetrics } from './daemon/serve-metrics.js';
import { ShutdownRequests } from './daemon/shutdown-requests.js';
import { startReaper } from './daemon/start-reaper.js';
import { stopEverything } from './daemon/stop-everything.js';
import { tellSystemd } from './daemon/systemd-link.js';

export interface DaemonOptions {
  readonly configDir: string;
  readonly socketPath: string;
  readonly container: boolean;
  readonly bufferLines: number;
  readonly logFormat: 'text' | 'json';
  readonly shutdownSignals: readonly NodeJS.Signals[];
  /** The file read instead of /etc/environment (empty: none); undefined = ZINIT_TS_ENVIRONMENT_FILE or /etc/environment. */
  readonly environmentFile?: string | undefined;
  /** ADDR:PORT for /metrics and /healthz; null = off. */
  readonly metrics: string | null;
  /** For the HTTP/RPC listener that system_start_http_server opens. */
  readonly http?: HttpOptions;
  /** The heap limit in force, as `init` applied it. */
  readonly heapLimit?: { readonly limitMiB: number; readonly note: string | null };
  /** The manager's own log: `debug` with `-d`; default `info`. */
  readonly logLevel?: LogLevel;
  /** `init --cgroup`: auto (default), off, or the cgroup v2 directory to use. */
  readonly cgroup?: string;
  /** `init --require-cgroup`: no cgroup mode, or a limit the kernel cannot enforce, is an error. */
  readonly requireCgroup?: boolean;
}

/** Runs the manager in the foreground; resolves with the process exit code once everything is stopped. */
export async function runDaemon(opts: DaemonOptions): Promise<number> {
  // This file and its bundle (daemon-entry.js) both sit at the top of the compiled tree, whatever os/'s modules became.
  setConfigLoaderEntry(fileURLToPath(new URL('./os/config-load-child.js', import.meta.url)));
  const registry = installChildRegistry();
  const logger = createLogger({ format: opts.logFormat, level: opts.logLevel ?? 'info' });
  const isPid1 = process.pid === 1;
  const shutdown = new ShutdownRequests(logger);
  installPid1Duties(opts.shutdownSignals, shutdown, logger);
  // Before any child: in cgroup mode the daemon leaves its cgroup for a leaf of its own, and every process it starts begins there.
  let containment: ContainmentChoice;
  try {
    containment = chooseContainment({ setting: opts.cgroup ?? 'auto', required: opts.requireCgroup === true, socketPath: opts.socketPath }, logger);
  } catch (err) {
    logger.error(messageOf(err));
    return 1;
  }
  // Off the main thread, from the first moment: the socket answers while hostile files are parsed, and their heap goes with the worker.
  const loading = loadConfigDirIsolated(opts.configDir);
  loading.catch(() => undefined);

  const reaping = startReaper(logger, registry.has.bind(registry), isPid1);
  const libc = reaping?.libc ?? null;
  const activity = trimWhenIdle(libc, logger);
  const supervision = await buildSupervisor(opts, { logger, isPid1, reaping, activity, shutdown, containment });
  const { manager, table } = supervision;

  const http = new HttpRpc(opts.http ?? DEFAULT_HTTP_OPTIONS, opts.socketPath, logger);
  const server = await bindControlSocket(opts.socketPath, opts.configDir, supervision, shutdown, http, logger);
  if (!server) {
    containment.layout?.tearDown();
    return 1;
  }
  announceStart(opts, isPid1, logger);
  await killLeftovers(table, logger);
  const metrics = await serveMetrics(opts.metrics, { manager, table, reaped: () => reaping?.reaped() ?? 0 }, logger);
  const systemd = tellSystemd(manager, logger);
  await loadServices(loading, manager, activity, shutdown, logger);
  systemd?.loaded();

  const request = await shutdown.requested;
  systemd?.stopping();
  const record = await stopEverything(supervision, isPid1, logger);
  reportShutdown(record, shutdown, logger);
  await closeEverything(supervision.output, server, http, metrics);
  // A directory of our own making goes with us; a cgroup we own (a container's, a systemd unit's) stays for the next daemon.
  containment.layout?.tearDown();
  powerOffIfAsked(request, { isPid1, container: opts.container }, libc);
  return request.exitCode;
}
