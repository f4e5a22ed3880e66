// Bursts of work (boot, reload, a wave of restarts) leave freed C heap in glibc's arenas: each spawn, exit and config load counts as activity, and the heap is trimmed once quiet.
import type { Logger } from '../log/logger-types.js';
import { IdleTrim } from '../os/idle-trim.js';
import type { Libc } from '../os/libc.js';
import { processPort } from '../os/spawn.js';
import { systemClock, type ProcessPort } from '../supervisor/ports.js';

export interface IdleActivity {
  readonly idleTrim: IdleTrim;
  /** The real process port, its spawns and exits counted as activity. */
  readonly proc: ProcessPort;
  /** `p`, its settling counted as activity. */
  loaded<T>(p: Promise<T>): Promise<T>;
}

export function trimWhenIdle(libc: Libc | null, logger: Logger): IdleActivity {
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
  return { idleTrim, proc, loaded: (p) => p.finally(() => idleTrim.activity()) };
}
