// Processes no service owns: a previous daemon's, killed before anything starts, and whatever is left once every service has stopped.
import type { Logger } from '../log/logger-types.js';
import { readCmdline } from '../os/proc.js';
import type { ProcessTable } from '../os/process-table.js';
import { CgroupTable } from '../os/cgroup-table.js';
import { CgroupError } from '../errors/cgroup-errors.js';
import { systemClock, type TrackedProcess } from '../supervisor/ports.js';
import type { SweepResult } from '../supervisor/shutdown-report.js';
import { waitGone } from '../supervisor/wait-gone.js';

const SWEEP_WAIT_MS = 5000;

export async function killLeftovers(table: ProcessTable, logger: Logger): Promise<void> {
  if (table instanceof CgroupTable) await killLeftoverCgroups(table, logger);
  const left = table.leftovers();
  if (left.length === 0) return;
  for (const p of left)
    logger.warn('leftover of a previous zinit-ts found; killing it', { pid: p.pid, service: p.service, instance: p.instance, command: commandOf(p.pid) });
  table.signal(left, 'SIGKILL');
  const remaining = await waitGone(table, systemClock, left, SWEEP_WAIT_MS);
  if (remaining.length > 0) logger.error('leftovers that would not die', { pids: remaining.map((p) => p.pid) });
}

/**
 * cgroup mode: what a previous daemon on the same socket left in its cgroups (it was SIGKILLed, say) is
 * found there whatever it did to its environment, killed by the kernel, and its empty leaves removed.
 */
async function killLeftoverCgroups(table: CgroupTable, logger: Logger): Promise<void> {
  const { layout } = table;
  const killed: TrackedProcess[] = [];
  for (const leaf of cgroupCall(() => layout.populatedLeaves(), [], logger)) {
    const procs = table.membersOfLeaf(leaf);
    for (const p of procs) logger.warn('leftover of a previous zinit-ts found in its cgroup; killing it', { pid: p.pid, cgroup: leaf, command: commandOf(p.pid) });
    if (!cgroupCall(() => layout.kill(leaf), false, logger)) table.signal(procs, 'SIGKILL');
    killed.push(...procs);
  }
  const remaining = await waitGone(table, systemClock, killed, SWEEP_WAIT_MS);
  if (remaining.length > 0) logger.error('leftovers that would not die', { pids: remaining.map((p) => p.pid) });
  const removed = cgroupCall(() => layout.removeEmptyLeaves(), [], logger);
  if (removed.length > 0) logger.info('removed the cgroups a previous zinit-ts left', { count: removed.length });
}

/** The end of a shutdown in cgroup mode: every leaf still populated is killed by the kernel, and the empty ones go. */
export function killOurCgroups(table: ProcessTable, logger: Logger): void {
  if (!(table instanceof CgroupTable)) return;
  for (const leaf of cgroupCall(() => table.layout.populatedLeaves(), [], logger)) {
    const procs = table.membersOfLeaf(leaf);
    for (const p of procs) logger.warn('killing leftover process', { pid: p.pid, cgroup: leaf, command: commandOf(p.pid) });
    if (!cgroupCall(() => table.layout.kill(leaf), false, logger)) table.signal(procs, 'SIGKILL');
  }
}

export function removeOurCgroups(table: ProcessTable, logger: Logger): void {
  if (table instanceof CgroupTable) cgroupCall(() => table.layout.removeEmptyLeaves(), [], logger);
}

/** A cgroup file the kernel refuses is logged and skipped: the start and the shutdown go on (the /proc sweep still runs). */
function cgroupCall<T>(fn: () => T, fallback: T, logger: Logger): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof CgroupError)) throw err;
    logger.warn('cgroup call failed', { path: err.path, errno: err.errno, error: err.message });
    return fallback;
  }
}

/** As PID 1 everything but us is a leftover; otherwise what carries our tag. */
export async function sweepLeftovers(table: ProcessTable, logger: Logger, isPid1: boolean): Promise<SweepResult> {
  let killed = 0;
  let remaining: TrackedProcess[] = [];
  const deadline = Date.now() + SWEEP_WAIT_MS;
  // Each pass sees what the previous one's kills revealed (a parent's death reparents its children to us).
  for (;;) {
    const found = isPid1 ? table.everything() : table.ours();
    const fresh = found.filter((p) => p.state !== 'Z');
    if (fresh.length === 0) return { killed, remaining: [] };
    for (const p of fresh) if (!remaining.some((r) => r.pid === p.pid)) logger.warn('killing leftover process', { pid: p.pid, command: commandOf(p.pid) });
    killed += table.signal(fresh, 'SIGKILL');
    remaining = await waitGone(table, systemClock, fresh, Math.min(500, Math.max(0, deadline - Date.now())));
    if (Date.now() >= deadline) break;
  }
  for (const p of remaining) logger.error('process could not be killed', { pid: p.pid, state: p.state, command: commandOf(p.pid) });
  return { killed, remaining };
}

function commandOf(pid: number): string {
  return readCmdline(pid).join(' ');
}
