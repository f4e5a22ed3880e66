// The dependency DAG of services: start order, stop levels, cycles with their path, missing dependencies.
import { Graph, alg } from '@dagrejs/graphlib';

export interface GraphNode {
  readonly name: string;
  readonly after: readonly string[];
}

export interface DependencyGraph {
  /** Every service known to the graph, sorted by name. */
  readonly names: readonly string[];
  /** Dependencies named in `after` that are not loaded, per service. */
  readonly missing: ReadonlyMap<string, readonly string[]>;
  /** Each cycle as a closed path, e.g. ['a', 'b', 'c', 'a']. */
  readonly cycles: readonly (readonly string[])[];
  /** Services on a cycle. */
  readonly inCycle: ReadonlySet<string>;
  dependencies(name: string): readonly string[];
  dependents(name: string): readonly string[];
  /** Groups that can start together, dependencies first; services on a cycle are left out. */
  startLevels(): string[][];
  /** Groups that can stop together, dependents first. */
  stopLevels(): string[][];
  /** Longest chain of `weight` along dependency edges (e.g. worst-case shutdown time). */
  longestChain(weight: (name: string) => number): { total: number; path: string[] };
}

export function buildDependencyGraph(nodes: Iterable<GraphNode>): DependencyGraph {
  const g = new Graph({ directed: true });
  const declared = new Map<string, readonly string[]>();
  for (const n of nodes) {
    declared.set(n.name, n.after);
    g.setNode(n.name);
  }
  const missing = new Map<string, string[]>();
  for (const [name, after] of declared) {
    for (const dep of after) {
      if (declared.has(dep)) g.setEdge(dep, name);
      else missing.set(name, [...(missing.get(name) ?? []), dep]);
    }
  }
  const cycles = findCyclePaths(g);
  const inCycle = new Set(cycles.flat());
  const names = [...declared.keys()].sort();

  const dependencies = (name: string): string[] => (g.predecessors(name) ?? []).slice().sort();
  const dependents = (name: string): string[] => (g.successors(name) ?? []).slice().sort();

  /** Groups by longest path along `next`: level 0 has no `next`, level n waits on something at n-1. */
  const levels = (next: (name: string) => string[], skip: ReadonlySet<string>): string[][] => {
    const level = new Map<string, number>();
    const depth = (name: string, seen: Set<string>): number => {
      const known = level.get(name);
      if (known !== undefined) return known;
      if (seen.has(name)) return 0;
      seen.add(name);
      const ns = next(name);
      const d = ns.length === 0 ? 0 : 1 + Math.max(...ns.map((x) => depth(x, seen)));
      level.set(name, d);
      return d;
    };
    const out: string[][] = [];
    for (const name of names) if (!skip.has(name)) (out[depth(name, new Set())] ??= []).push(name);
    return out.filter((l) => l.length > 0);
  };
  const startLevels = (): string[][] => levels(dependencies, inCycle);
  const stopLevels = (): string[][] => levels(dependents, new Set());

  const longestChain = (weight: (name: string) => number): { total: number; path: string[] } => {
    const best = new Map<string, { total: number; path: string[] }>();
    const visit = (name: string, seen: Set<string>): { total: number; path: string[] } => {
      const known = best.get(name);
      if (known) return known;
      if (seen.has(name)) return { total: 0, path: [] };
      seen.add(name);
      let tail = { total: 0, path: [] as string[] };
      for (const d of dependents(name)) {
        const c = visit(d, seen);
        if (c.total > tail.total) tail = c;
      }
      const r = { total: weight(name) + tail.total, path: [name, ...tail.path] };
      best.set(name, r);
      return r;
    };
    let top = { total: 0, path: [] as string[] };
    for (const name of names) {
      const c = visit(name, new Set());
      if (c.total > top.total) top = c;
    }
    return top;
  };

  return { names, missing, cycles, inCycle, dependencies, dependents, startLevels, stopLevels, longestChain };
}

/** One closed path per strongly connected component that holds a cycle (self-loops included). */
function findCyclePaths(g: Graph): string[][] {
  const paths: string[][] = [];
  for (const scc of alg.tarjan(g)) {
    const members = new Set(scc);
    const start = [...scc].sort()[0];
    if (start === undefined) continue;
    if (scc.length === 1 && !g.hasEdge(start, start)) continue;
    paths.push(walkCycle(g, start, members));
  }
  return paths.sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
}

function walkCycle(g: Graph, start: string, members: Set<string>): string[] {
  // Depth-first search inside the component for a path back to start; a → b reads "a runs after b".
  const stack: { node: string; next: string[] }[] = [];
  const onPath = new Set<string>();
  const succ = (n: string): string[] => (g.predecessors(n) ?? []).filter((s) => members.has(s)).sort();
  stack.push({ node: start, next: succ(start) });
  onPath.add(start);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top === undefined) break;
    const n = top.next.shift();
    if (n === undefined) {
      onPath.delete(top.node);
      stack.pop();
      continue;
    }
    if (n === start) return [...stack.map((s) => s.node), start];
    if (!onPath.has(n)) {
      onPath.add(n);
      stack.push({ node: n, next: succ(n) });
    }
  }
  return [start, start];
}
