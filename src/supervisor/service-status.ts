// What the manager reports of one service: its state and target, its dependencies' states, its last exit, why it waits, what its file warned about.
import type { ServiceRunner } from './service-runner.js';
import type { State, Target } from './state.js';
import type { ServiceContainment } from './containment.js';

export interface ServiceStatus {
  readonly name: string;
  readonly pid: number | null;
  readonly state: State;
  readonly target: Target;
  readonly after: Readonly<Record<string, State>>;
  /** The last finished run of the main process, and its pid. */
  readonly exit: { readonly pid: number; readonly code: number | null; readonly signal: NodeJS.Signals | null; readonly oomKill?: true } | null;
  readonly restarts: number;
  /** Runs the kernel's OOM killer ended (cgroup mode with the memory controller). */
  readonly oomKills: number;
  /** A restart is under way: its backoff delay runs, or the last run is still being stopped first (target Up). */
  readonly restarting: boolean;
  readonly reason: string | null;
  readonly oneshot: boolean;
  /** What the service file's last load warned about (unknown keys), each `file:line:column: message`. */
  readonly warnings: readonly string[];
  readonly health: ServiceHealth;
  /** Its cgroup and what became of its limits; null when the manager was told nothing of containment. */
  readonly containment: ServiceContainment | null;
}

/** What its probes and notifications say. */
export interface ServiceHealth {
  /** The last failure of its readiness or liveness probe, until one passes. */
  readonly probeError: string | null;
  /** Liveness failures in a row of the current run. */
  readonly liveFailures: number;
  /** Restarts its liveness probe caused (counted in `restarts` too). */
  readonly liveRestarts: number;
  /** Its own STATUS= (notify: systemd). */
  readonly statusText: string | null;
}

/** The status of `r`; a dependency with no runner is 'Unknown'. */
export function statusOf(r: ServiceRunner, runners: ReadonlyMap<string, ServiceRunner>, warnings: readonly string[] = [], containment: ServiceContainment | null = null): ServiceStatus {
  const after: Record<string, State> = {};
  for (const dep of r.config.after) after[dep] = runners.get(dep)?.state ?? 'Unknown';
  return {
    name: r.name,
    pid: r.pid,
    state: r.state,
    target: r.target,
    after,
    exit: r.lastExit ? { pid: r.lastExit.pid, code: r.lastExit.code, signal: r.lastExit.signal, ...(r.lastExit.oomKill === true ? { oomKill: true as const } : {}) } : null,
    restarts: r.restarts,
    oomKills: r.oomKills,
    restarting: r.restartPending || (r.isStopping && r.target === 'Up'),
    reason: r.state === 'Blocked' ? r.blockedReason : null,
    oneshot: r.config.oneshot,
    warnings,
    health: { probeError: r.probeError, liveFailures: r.liveFailuresInRow, liveRestarts: r.liveRestarts, statusText: r.statusText },
    containment,
  };
}
