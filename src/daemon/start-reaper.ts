// Orphans: as PID 1 they come to us, otherwise we ask to be their subreaper; either way a reaper collects the ones no service owns.
import type { Logger } from '../log/logger-types.js';
import { ChildEvents } from '../os/child-events.js';
import { loadLibc, type Libc } from '../os/libc.js';
import { readOwnChildren } from '../os/proc.js';
import { Reaper } from '../os/reaper.js';

export interface Reaping {
  readonly libc: Libc;
  /** Orphans reaped so far. */
  readonly reaped: () => number;
  /** Orphans of services come back to us (we are their child subreaper). */
  readonly subreaper: boolean;
  readonly childEvents: ChildEvents;
}

/** null without libc: nothing is reaped and there is no malloc_trim, sync or reboot. */
export function startReaper(logger: Logger, isManaged: (pid: number) => boolean, isPid1: boolean): Reaping | null {
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
    // Started once the services are loaded (see loadServices): it would take the config loader's exit too.
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
