// CPU and memory of a set of processes from /proc: two samples of utime+stime, summed resident memory.
import { CLOCK_TICKS, PAGE_SIZE, readStat } from './proc.js';
import type { TrackedProcess } from '../supervisor/ports.js';

export interface TreeUsage {
  /** Percent of one CPU over the sample window, summed over the tree. */
  readonly cpuPercent: number;
  readonly memoryBytes: number;
  readonly processes: number;
}

export async function sampleTreeUsage(procs: readonly TrackedProcess[], windowMs: number): Promise<TreeUsage> {
  const ticks = (): Map<number, number> => {
    const m = new Map<number, number>();
    for (const p of procs) {
      const s = readStat(p.pid);
      if (s && s.starttime === p.startTime) m.set(p.pid, s.utime + s.stime);
    }
    return m;
  };
  const t0 = performance.now();
  const a = ticks();
  await new Promise((r) => setTimeout(r, windowMs));
  const b = ticks();
  const elapsedS = (performance.now() - t0) / 1000;
  let used = 0;
  for (const [pid, t] of b) used += t - (a.get(pid) ?? t);
  let rss = 0;
  for (const p of procs) {
    const s = readStat(p.pid);
    if (s && s.starttime === p.startTime) rss += s.rssPages * PAGE_SIZE;
  }
  return { cpuPercent: Math.round(((used / CLOCK_TICKS) * 10000) / elapsedS) / 100, memoryBytes: rss, processes: b.size };
}
