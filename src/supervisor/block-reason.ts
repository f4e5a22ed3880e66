// Why a service that wants to start must wait: a cycle, a dependency that is invalid, missing, failed, stopped or not ready yet.
import type { DependencyGraph } from '../graph/dependency-graph.js';
import { cycleMessage, invalidDependency, undefinedDependency } from '../graph/dependency-messages.js';
import type { ServiceRunner } from './service-runner.js';
import { failedForGood, satisfiesDependents } from './state.js';

export interface BlockContext {
  readonly graph: DependencyGraph;
  readonly runners: ReadonlyMap<string, ServiceRunner>;
  /** Services whose file failed to load, with the first error. */
  readonly broken: ReadonlyMap<string, string>;
}

/** The reason `r` may not start now, or null when every dependency allows it. */
export function blockReason(r: ServiceRunner, { graph, runners, broken }: BlockContext): string | null {
  const cycle = graph.cycles.find((c) => c.includes(r.name));
  if (cycle) return cycleMessage(cycle);
  for (const dep of r.config.after) {
    const brokenWhy = broken.get(dep);
    if (brokenWhy !== undefined && !runners.has(dep)) return invalidDependency(dep, brokenWhy);
    const d = runners.get(dep);
    if (!d) return undefinedDependency(dep);
    if (satisfiesDependents(d.state, d.config.oneshot)) continue;
    if (failedForGood(d.state, d.config.oneshot)) {
      const e = d.lastExit;
      const how = e ? (e.signal ? `killed by ${e.signal}` : `exit code ${e.code}`) : 'never ran';
      return `dependency "${dep}" failed (${d.state}, ${how}); start it again with \`zinit-ts start ${dep}\``;
    }
    if (d.target === 'Down') return `dependency "${dep}" is stopped; start it with \`zinit-ts start ${dep}\``;
    return `waiting for "${dep}" (${d.state})`;
  }
  return null;
}
