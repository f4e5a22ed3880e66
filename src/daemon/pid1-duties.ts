// What an init owes its host: the shutdown signals, and a crash of its own, become the one orderly shutdown.
import type { Logger } from '../log/logger-types.js';
import type { ShutdownRequests } from './shutdown-requests.js';

export function installPid1Duties(signals: readonly NodeJS.Signals[], shutdown: ShutdownRequests, logger: Logger): void {
  for (const sig of signals) process.on(sig, () => shutdown.request({ kind: 'stop', exitCode: 0, why: sig }));
  process.on('uncaughtException', (err) => {
    logger.error('uncaught exception; stopping every service', { error: err.stack ?? String(err) });
    shutdown.request({ kind: 'stop', exitCode: 1, why: 'uncaught exception' });
  });
  process.on('unhandledRejection', (err) => {
    logger.error('unhandled rejection; stopping every service', { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    shutdown.request({ kind: 'stop', exitCode: 1, why: 'unhandled rejection' });
  });
}
