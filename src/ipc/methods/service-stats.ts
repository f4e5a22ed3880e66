// service_stats: zinit's figures (the main process and its descendants) and zinit-ts's totals over the whole service.
import { sampleTreeUsage, type TreeUsage } from '../../os/tree-usage.js';
import { ServiceIsDownError } from '../../errors/errors.js';
import type { ServiceManager } from '../../supervisor/manager.js';
import type { ProcessTablePort, TrackedProcess } from '../../supervisor/ports.js';
import type { ServiceStats } from '../api-results.js';

/** The window CPU time is measured over. */
const SAMPLE_MS = 200;

/** Samples the service's processes and answers as zinitStats says. */
export async function statsOf(manager: ServiceManager, table: ProcessTablePort, name: string): Promise<ServiceStats> {
  const { pid } = manager.status(name);
  const procs = table.find(name, pid);
  if (procs.length === 0) throw new ServiceIsDownError(name, 'sample');
  const before = table.usage?.(name) ?? null;
  const t0 = performance.now();
  const stats = zinitStats(name, pid, procs, await sampleTreeUsage(procs, SAMPLE_MS));
  if (before === null) return stats;
  const after = table.usage?.(name) ?? before;
  const cpuPercent = before.cpuUsec !== null && after.cpuUsec !== null ? ((after.cpuUsec - before.cpuUsec) / 1000 / (performance.now() - t0)) * 100 : null;
  return { ...stats, cgroup: { memoryBytes: after.memoryBytes, cpuPercent: cpuPercent === null ? null : Math.max(0, Math.round(cpuPercent * 10) / 10) } };
}

/**
 * As zinit counts: `memory_usage`/`cpu_usage` are the main process's own, `children` its descendants
 * (by parent links, itself not included). `tree` sums every process of the service, escaped ones
 * included. A service whose main process is gone but whose processes remain answers with pid 0.
 */
export function zinitStats(name: string, pid: number | null, procs: readonly TrackedProcess[], usage: TreeUsage): ServiceStats {
  const { perProcess, ...tree } = usage;
  const descendants = new Set(procs.filter((p) => p.underMain && p.pid !== pid).map((p) => p.pid));
  const main = perProcess.find((u) => u.pid === pid);
  return {
    name,
    pid: pid ?? 0,
    memory_usage: main?.memoryBytes ?? 0,
    cpu_usage: main?.cpuPercent ?? 0,
    children: perProcess.filter((u) => descendants.has(u.pid)).map((u) => ({ pid: u.pid, memory_usage: u.memoryBytes, cpu_usage: u.cpuPercent })),
    tree,
  };
}
