// The one shutdown report the log gets: per service how it stopped, then what was left.
import type { ShutdownReport } from './manager.js';
import type { TrackedProcess } from './ports.js';

export function formatShutdownReport(report: ShutdownReport, sweptKilled: number, remaining: readonly TrackedProcess[]): string {
  const lines = [`shutdown report (${ms(report.durationMs)} for services)`];
  const rows = [...report.services].filter((s) => s.hadProcess).sort((a, b) => b.durationMs - a.durationMs);
  for (const s of rows) {
    const parts = [`${s.service}: ${s.signal}`, `stopped in ${ms(s.durationMs)}`, s.sigkill ? 'SIGKILL needed' : 'no SIGKILL', `descendants ${s.descendants}`];
    if (s.remaining.length > 0) parts.push(`still alive ${s.remaining.map((p) => p.pid).join(',')}`);
    lines.push(`  ${parts.join(', ')}`);
  }
  const idle = report.services.length - rows.length;
  if (idle > 0) lines.push(`  ${idle} service(s) had no process`);
  lines.push(`  swept: ${sweptKilled} leftover process(es) killed`);
  lines.push(`  remaining: ${remaining.length}${remaining.length > 0 ? ` (${remaining.map((p) => `${p.pid} ${p.comm} [${p.state}]`).join(', ')})` : ''}`);
  return lines.join('\n');
}

function ms(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${Math.round(n)} ms`;
}
