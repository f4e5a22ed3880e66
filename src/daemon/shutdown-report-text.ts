// The daemon's words for a shutdown: the once-a-second line of what it waits on, and the one report the log gets at the end.
import type { ShutdownRecord } from '../supervisor/shutdown-report.js';

export interface StopWaiting {
  readonly name: string;
  /** Until SIGKILL; null once it is sent. */
  readonly msLeft: number | null;
}

/** null while nothing is waited on. */
export function shutdownProgressLine(waiting: readonly StopWaiting[]): string | null {
  if (waiting.length === 0) return null;
  const parts = waiting.map((w) => (w.msLeft === null ? `${w.name} (SIGKILL sent)` : `${w.name} (SIGKILL in ${(w.msLeft / 1000).toFixed(1)} s)`));
  return `shutdown in progress, waiting for: ${parts.join(', ')}`;
}

/** Per service how it stopped (slowest first), then what was left; one line each. */
export function formatShutdownReport({ stops, sweep }: ShutdownRecord): string {
  const lines = [`shutdown report (${ms(stops.durationMs)} for services)`];
  const rows = [...stops.services].filter((s) => s.hadProcess).sort((a, b) => b.durationMs - a.durationMs);
  for (const s of rows) {
    const parts = [`${s.service}: ${s.signal}`, `stopped in ${ms(s.durationMs)}`, s.sigkill ? 'SIGKILL needed' : 'no SIGKILL', `descendants ${s.descendants}`];
    if (s.remaining.length > 0) parts.push(`still alive ${s.remaining.map((p) => p.pid).join(',')}`);
    lines.push(`  ${parts.join(', ')}`);
  }
  const idle = stops.services.length - rows.length;
  if (idle > 0) lines.push(`  ${idle} service(s) had no process`);
  const { killed, remaining } = sweep;
  lines.push(`  swept: ${killed} leftover process(es) killed`);
  lines.push(`  remaining: ${remaining.length}${remaining.length > 0 ? ` (${remaining.map((p) => `${p.pid} ${p.comm} [${p.state}]`).join(', ')})` : ''}`);
  return lines.join('\n');
}

function ms(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${Math.round(n)} ms`;
}
