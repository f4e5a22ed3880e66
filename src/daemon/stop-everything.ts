// The shutdown's work: every service in reverse dependency order, then the running commands, the leftovers, and post_stop hooks last.
import type { Logger } from '../log/logger-types.js';
import type { ShutdownRecord } from '../supervisor/shutdown-report.js';
import type { Supervision } from './build-supervisor.js';
import { killOurCgroups, removeOurCgroups, sweepLeftovers } from './leftovers.js';
import { shutdownProgressLine } from './shutdown-report-text.js';

const PROGRESS_EVERY_MS = 1000;

export async function stopEverything(supervision: Supervision, isPid1: boolean, logger: Logger): Promise<ShutdownRecord> {
  const { manager, transientRuns, table } = supervision;
  // A container's log shows what the shutdown waits on, once a second.
  const progress = setInterval(() => {
    const line = shutdownProgressLine(manager.stopping());
    if (line !== null) logger.info(line);
  }, PROGRESS_EVERY_MS);
  const stops = await manager.shutdown();
  clearInterval(progress);
  await transientRuns.killAll();
  // What survived its service's stop: the kernel kills each leaf at once; the sweep below waits for them.
  killOurCgroups(table, logger);
  const sweep = await sweepLeftovers(table, logger, isPid1);
  await manager.postStopAfterSweep(stops.services);
  removeOurCgroups(table, logger);
  return { stops, sweep };
}
