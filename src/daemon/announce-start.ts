// The first lines of the daemon's log once it answers on its socket: who it is, where, and a heap limit worth a warning.
import type { Logger } from '../log/logger-types.js';
import { VERSION } from '../version.js';

export interface StartFacts {
  readonly socketPath: string;
  readonly configDir: string;
  readonly container: boolean;
  readonly heapLimit?: { readonly limitMiB: number; readonly note: string | null };
}

export function announceStart(opts: StartFacts, isPid1: boolean, logger: Logger): void {
  logger.info('zinit-ts started', { version: VERSION, pid: process.pid, socket: opts.socketPath, config: opts.configDir, container: opts.container, pid1: isPid1, heapLimitMiB: opts.heapLimit?.limitMiB ?? null });
  if (opts.heapLimit?.note) logger.warn(`heap limit: ${opts.heapLimit.note}`, { heapLimitMiB: opts.heapLimit.limitMiB });
}
