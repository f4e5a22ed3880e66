// Stops every service once all that depend on it have stopped, so independent chains stop in parallel.
import type { DependencyGraph } from '../graph/dependency-graph.js';
import type { ServiceRunner, StopReport } from './service-runner.js';

/**
 * Stops each of `names`; a service in a cycle does not wait for its dependents (they wait on it too).
 * The total follows the longest chain.
 */
export function stopInDependencyOrder(
  names: readonly string[],
  graph: DependencyGraph,
  runners: ReadonlyMap<string, ServiceRunner>,
  runner: (name: string) => ServiceRunner,
): Promise<StopReport[]> {
  const memo = new Map<string, Promise<StopReport>>();
  const stopOne = (name: string): Promise<StopReport> => {
    const known = memo.get(name);
    if (known) return known;
    const dependents = graph.inCycle.has(name) ? [] : graph.dependents(name).filter((d) => runners.has(d));
    const p = Promise.all(dependents.map(stopOne)).then(() => runner(name).stop());
    memo.set(name, p);
    return p;
  };
  return Promise.all(names.map(stopOne));
}
