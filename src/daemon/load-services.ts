// The service files, parsed off the main thread since the start: invalid ones logged and skipped, the rest loaded and started.
import { formatConfigError } from '../config/format-error.js';
import type { LoadResult } from '../config/types.js';
import type { Logger } from '../log/logger-types.js';
import type { ServiceManager } from '../supervisor/manager.js';
import type { IdleActivity } from './idle-activity.js';
import type { ShutdownRequests } from './shutdown-requests.js';

/** A directory that cannot be read at all stops the daemon with 1. */
export async function loadServices(loading: Promise<LoadResult>, manager: ServiceManager, activity: IdleActivity, shutdown: ShutdownRequests, logger: Logger): Promise<void> {
  try {
    const { services, errors, warnings } = await loading;
    activity.idleTrim.activity();
    for (const e of errors) logger.error(`invalid service file, skipped: ${formatConfigError(e)}`, { service: e.service });
    // The manager logs each warning once and shows it in the service's status.
    manager.load(services, errors, warnings);
    logger.info('services loaded', { count: services.size, invalid: new Set(errors.map((e) => e.service)).size });
    // A diagnostic only: its thread and module are loaded when asked for.
    if (process.env.ZINIT_TS_REAPER === 'naive') (await import('../os/naive-reaper.js')).startNaiveReaper();
    manager.startAll();
  } catch (err) {
    logger.error((err as Error).message);
    shutdown.request({ kind: 'stop', exitCode: 1, why: 'configuration could not be read' });
  }
}
