// CPU and memory of a set of processes from /proc: two samples of utime+stime, summed resident memory.
import { CLOCK_TICKS, PAGE_SIZE, readStat } from './proc.js';
import type { TrackedProcess } from '../supervisor/ports.js';

export interface ProcessUsage {
  readonly pid: number;
  readonly cpuPercent: number;
  readonly memoryBytes: number;
}

export interface TreeUsage {
  /** Percent of one CPU over the sample window, summed over the tree. */
  readonly cpuPercent: number;
  readonly memoryBytes: number;
  readonly processes: number;
  readonly perProcess: readonly ProcessUsage[];
}

/** CPU ticks (user+system) and resident bytes of each process that is still the one tracked (same start time). */
export function readUsage(procs: readonly TrackedProcess[]): Map<number, { ticks: number; memoryBytes: number }> {
  const m = new Map<number, { ticks: number; memoryBytes: number }>();
  for (const p of procs) {
    const s = readStat(p.pid);
    if (s && s.starttime === p.startTime) m.set(p.pid, { ticks: s.utime + s.stime, memoryBytes: s.rssPages * PAGE_SIZE });
  }
  return m;
}

export async function sampleTreeUsage(procs: readonly TrackedProcess[], windowMs: number): Promise<TreeUsage> {
  const t0 = performance.now();
  const a = readUsage(procs);
  await new Promise((r) => setTimeout(r, windowMs));
  const b = readUsage(procs);
  const elapsedS = (performance.now() - t0) / 1000;
  const pct = (ticks: number): number => Math.round(((ticks / CLOCK_TICKS) * 10000) / elapsedS) / 100;
  const perProcess: ProcessUsage[] = [];
  for (const [pid, after] of b) perProcess.push({ pid, cpuPercent: pct(after.ticks - (a.get(pid)?.ticks ?? after.ticks)), memoryBytes: after.memoryBytes });
  const sum = (f: (u: ProcessUsage) => number): number => perProcess.reduce((n, u) => n + f(u), 0);
  return { cpuPercent: Math.round(sum((u) => u.cpuPercent) * 100) / 100, memoryBytes: sum((u) => u.memoryBytes), processes: perProcess.length, perProcess };
}
