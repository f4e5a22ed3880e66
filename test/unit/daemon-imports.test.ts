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
// What `init` really loads once re-executed: the CLI entry (bundled), which hands over to the daemon's bundle.
const bundled = [staticGraph(path.join(repoRoot, 'dist', 'src', 'daemon-entry.js')), staticGraph(path.join(repoRoot, 'dist', 'src', 'cli', 'main.js'))];

// Each measured on 200 idle services (README, "Idle"): resident for good once loaded, for work the daemon does elsewhere or never.
const NOT_RESIDENT: Record<string, string> = {
  yaml: 'parsing runs in the config loader process',
  winston: 'the logger writes its lines itself',
  'prom-client': 'loaded only with --metrics',
  'node:http': 'loaded only when the HTTP/RPC listener or the metrics server starts',
  'node:crypto': 'the instance id comes from /dev/urandom',
  commander: 'the re-executed daemon starts from the options init parsed (cli/init-handoff.ts)',
  crypto: 'the instance id comes from /dev/urandom',
};

test('the daemon main thread loads no module that an idle init does not need', () => {
  for (const graph of [daemon, ...bundled]) {
    for (const [spec, why] of Object.entries(NOT_RESIDENT)) {
      const from = graph.packages.get(spec);
      assert.equal(from, undefined, `${spec} is imported by ${from ?? ''}; ${why}`);
    }
  }
});

test('the daemon is one bundle, its on-demand parts apart', () => {
  const [entry] = bundled;
  assert.ok(entry !== undefined);
  const ours = [...entry.files].map((f) => path.relative(path.join(repoRoot, 'dist', 'src'), f));
  // Without esbuild the entry is tsc's re-export and the walk finds the ~120 files again.
  assert.ok(ours.length <= 20, `the daemon's entry loads ${ours.length} files: ${ours.slice(0, 10).join(', ')}…`);
  assert.ok(!ours.some((f) => f.startsWith('config/') || f.startsWith('cli/')), ours.join(', '));
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
