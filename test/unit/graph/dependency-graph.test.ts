import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDependencyGraph } from '../../../src/graph/dependency-graph.js';

const g = (spec: Record<string, string[]>) => buildDependencyGraph(Object.entries(spec).map(([name, after]) => ({ name, after })));

test('start levels put dependencies first and group independent services', () => {
  const graph = g({ web: ['app'], app: ['db', 'migrate'], migrate: ['db'], db: [], cache: [] });
  assert.deepEqual(graph.startLevels(), [['cache', 'db'], ['migrate'], ['app'], ['web']]);
});

test('stop levels are dependents first', () => {
  const graph = g({ web: ['app'], app: ['db'], db: [], cache: [] });
  assert.deepEqual(graph.stopLevels(), [['cache', 'web'], ['app'], ['db']]);
});

test('a cycle is reported as a closed path in depends-on order', () => {
  const graph = g({ a: ['b'], b: ['c'], c: ['a'], d: ['a'], e: [] });
  assert.deepEqual(graph.cycles, [['a', 'b', 'c', 'a']]);
  assert.deepEqual([...graph.inCycle].sort(), ['a', 'b', 'c']);
  assert.deepEqual(graph.startLevels().flat().sort(), ['d', 'e']);
});

test('a service depending on itself is a cycle', () => {
  assert.deepEqual(g({ a: ['a'] }).cycles, [['a', 'a']]);
});

test('missing dependencies are listed per service', () => {
  const graph = g({ app: ['db', 'ghost'], db: [] });
  assert.deepEqual(graph.missing.get('app'), ['ghost']);
  assert.equal(graph.missing.has('db'), false);
  assert.deepEqual(graph.dependencies('app'), ['db']);
  assert.deepEqual(graph.dependents('db'), ['app']);
});

test('longest chain sums weights along dependents', () => {
  const graph = g({ web: ['app'], app: ['db'], db: [], side: [] });
  const w: Record<string, number> = { web: 10, app: 5, db: 30, side: 40 };
  assert.deepEqual(graph.longestChain((n) => w[n] ?? 0), { total: 45, path: ['db', 'app', 'web'] });
});
