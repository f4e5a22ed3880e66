// What the daemon keeps resident: the modules its main thread loads at start-up, from the compiled import graph.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers/paths.js';

// Static imports only: `import(...)` is how a module is loaded on demand (metrics, a command), and is not followed.
const STATIC_IMPORT = /^\s*(?:import|export)\s+(?!type\b)(?:[^;'"]*?\s+from\s+)?['"]([^'"]+)['"]/gm;

function staticGraph(entry: string): { files: Set<string>; packages: Map<string, string> } {
  const files = new Set<string>();
  const packages = new Map<string, string>();
  const walk = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    for (const m of fs.readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      const spec = m[1] ?? '';
      if (spec.startsWith('.')) walk(path.resolve(path.dirname(file), spec));
      else if (!packages.has(spec)) packages.set(spec, path.relative(repoRoot, file));
    }
  };
  walk(entry);
  return { files, packages };
}

const daemon = staticGraph(path.join(repoRoot, 'dist', 'src', 'daemon.js'));

// Each measured on 200 idle services (README, "Idle"): resident for good once loaded, for work the daemon does elsewhere or never.
const NOT_RESIDENT: Record<string, string> = {
  yaml: 'parsing runs in the config loader process',
  winston: 'the logger writes its lines itself',
  'prom-client': 'loaded only with --metrics',
  'node:http': 'loaded only when the HTTP/RPC listener or the metrics server starts',
  'node:crypto': 'the instance id comes from /dev/urandom',
  crypto: 'the instance id comes from /dev/urandom',
};

test('the daemon main thread loads no module that an idle init does not need', () => {
  for (const [spec, why] of Object.entries(NOT_RESIDENT)) {
    const from = daemon.packages.get(spec);
    assert.equal(from, undefined, `${spec} is imported by ${from ?? ''}; ${why}`);
  }
});

test('the config modules stay in the loader process', () => {
  const configFiles = [...daemon.files].map((f) => path.relative(path.join(repoRoot, 'dist', 'src'), f)).filter((f) => f.startsWith('config/'));
  for (const f of configFiles) assert.ok(!/load-dir|parse-service|yaml|read-/.test(f), `${f} is loaded by the daemon's main thread`);
});

test('the walk sees what a module imports (control)', () => {
  const loader = staticGraph(path.join(repoRoot, 'dist', 'src', 'os', 'config-load-child.js'));
  assert.ok(loader.packages.has('yaml'), 'the config loader imports yaml');
  assert.ok([...loader.files].some((f) => f.endsWith(path.join('config', 'parse-service.js'))));
});
