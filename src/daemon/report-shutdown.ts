// The end of a shutdown, told twice: the report in the daemon's log, and the outcome to every client waiting on the shutdown.
import type { Logger } from '../log/logger-types.js';
import { sigkilledServices, type ShutdownRecord } from '../supervisor/shutdown-report.js';
import { formatShutdownReport } from './shutdown-report-text.js';
import type { ShutdownRequests } from './shutdown-requests.js';

export function reportShutdown(record: ShutdownRecord, shutdown: ShutdownRequests, logger: Logger): void {
  const lines = formatShutdownReport(record).split('\n');
  for (const line of lines) logger.info(line);
  shutdown.publish({
    report: lines,
    durationMs: Math.round(record.stops.durationMs),
    sigkilled: sigkilledServices(record.stops),
    swept: record.sweep.killed,
    remaining: record.sweep.remaining.length,
  });
}
