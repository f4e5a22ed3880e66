// The control socket: every method the CLI calls, bound to the supervisor, the config loader and the one shutdown.
import type { Logger } from '../log/logger-types.js';
import { loadConfigDirIsolated, loadServiceFileIsolated } from '../os/load-config-isolated.js';
import { readCmdline } from '../os/proc.js';
import { ConfigDirFiles } from '../os/service-files.js';
import { buildMethods } from '../ipc/handlers.js';
import { LogFanout } from '../ipc/log-fanout.js';
import { RpcServer } from '../ipc/server.js';
import { VERSION } from '../version.js';
import type { Supervision } from './build-supervisor.js';
import type { ShutdownRequests } from './shutdown-requests.js';

/** null when the socket cannot be opened (logged): the daemon then exits with 1. */
export async function bindControlSocket(socketPath: string, configDir: string, supervision: Supervision, shutdown: ShutdownRequests, logger: Logger): Promise<RpcServer | null> {
  const { manager, logs, table, transientRuns, activity } = supervision;
  const server = new RpcServer({
    path: socketPath,
    logger,
    methods: buildMethods({
      manager,
      logs,
      followers: new LogFanout(logs),
      table,
      transientRuns,
      version: VERSION,
      loadConfig: () => activity.loaded(loadConfigDirIsolated(configDir)),
      loadService: (name) => activity.loaded(loadServiceFileIsolated(configDir, name)),
      serviceFiles: new ConfigDirFiles(configDir),
      requestShutdown: (kind) => {
        shutdown.request({ kind, exitCode: 0, why: `${kind} requested over the control socket` });
        return shutdown.outcome;
      },
      commandLine: readCmdline,
    }),
  });
  try {
    await server.listen();
  } catch (err) {
    logger.error('cannot open the control socket', { error: (err as Error).message });
    return null;
  }
  return server;
}
