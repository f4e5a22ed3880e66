// post_stop: a service's cleanup command, run once all its processes are gone; its group is killed if it outlives the stop timeout.
import type { ServiceConfig } from '../config/types.js';
import type { Logger } from '../log/logger-types.js';
import type { Clock, ProcessPort } from '../supervisor/ports.js';
import { serviceSpawnRequest, type ServiceProcessDeps } from '../supervisor/spawn-request.js';

export interface PostStopDeps {
  readonly proc: Pick<ProcessPort, 'spawn' | 'signalGroup'>;
  readonly clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  readonly logger: Logger;
  /** The environment and output every process of the service gets. */
  readonly processes: ServiceProcessDeps;
}

export type PostStop = (config: ServiceConfig) => Promise<void>;

export function postStopRunner(deps: PostStopDeps): PostStop {
  const { proc, clock, logger, processes } = deps;
  return async (c) => {
    if (!c.postStopArgv) return;
    const h = proc.spawn(serviceSpawnRequest(processes, c, 'post-stop', c.postStopArgv));
    const timer = clock.setTimeout(() => h.pid > 0 && proc.signalGroup(h.pid, 'SIGKILL'), c.shutdownTimeoutMs);
    const status = await h.exited;
    clock.clearTimeout(timer);
    logger.info('post_stop finished', { service: c.name, code: status.code, signal: status.signal, ...(h.spawnError ? { error: h.spawnError } : {}) });
  };
}
