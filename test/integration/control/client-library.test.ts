// The README's client example, taken from the README and run as written against a real daemon; the package's "exports" lead to the built client.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startDaemon, statusOf, waitState, type DaemonHandle } from '../../helpers/daemon.js';
import { repoRoot } from '../../helpers/paths.js';
import { waitFor } from '../../helpers/wait-for.js';

const entry = path.join(repoRoot, 'dist', 'src', 'index.js');

function readmeExample(): string {
  const text = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const start = text.indexOf('\n## From a Node program\n');
  assert.notEqual(start, -1, 'the README has a section on the client library');
  const block = /```js\n([\s\S]*?)```/.exec(text.slice(start));
  assert.ok(block?.[1] !== undefined, 'the section has a js example');
  return block[1];
}

let d: DaemonHandle | undefined;
before(async () => {
  d = await startDaemon({ web: "exec: sh -c 'echo web is up; exec sleep 1000'\n" });
});
after(async () => {
  await d?.cleanup();
});

test('package.json "exports" and "types" point at the built client and its declarations', async () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
    name: string;
    types: string;
    exports: Record<string, { types: string; default: string }>;
  };
  assert.equal(path.resolve(repoRoot, pkg.exports['.']?.default ?? ''), entry);
  assert.ok(fs.existsSync(path.resolve(repoRoot, pkg.exports['.']?.types ?? '')), 'the declarations are built');
  assert.equal(path.resolve(repoRoot, pkg.types), path.resolve(repoRoot, pkg.exports['.']?.types ?? ''));
  // From inside the package, its own name resolves through "exports", as it does for an installed one.
  assert.equal(import.meta.resolve(pkg.name), pathToFileURL(entry).href);
  const lib = (await import(pkg.name)) as Record<string, unknown>;
  for (const name of ['connect', 'ZinitClient', 'RpcError', 'TransportError', 'ErrorCode', 'ServiceNotFoundError']) assert.ok(name in lib, name);
});

test("the README's example runs a command, follows a service's log, stops it and reads its exit", { timeout: 60_000 }, async () => {
  if (d === undefined) throw new Error('no daemon');
  await waitState(d, 'web', 'Running');
  await waitFor(async () => (await d?.cli(['log', '-s', 'web']))?.stdout.includes('web is up'), 10_000, 'the service has printed');
  // Inside the package, so `from 'zinit-ts'` resolves by the package's own "exports", uninstalled.
  const script = path.join(repoRoot, 'dist', `readme-client-example-${process.pid}.mjs`);
  fs.writeFileSync(script, readmeExample());
  try {
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [script], { timeout: 30_000, env: { ...process.env, ZINIT_SOCKET: d?.socket ?? '' } }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
      });
    });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const out = r.stdout;
    assert.match(out, /^\[stdout\] hello$/m);
    assert.match(out, /^exit code 3$/m);
    assert.match(out, /\[web\] stdout: web is up$/m, 'the log line, from the retained history');
    // zinit's service_stop answers null; the stop report comes to those who ask for it.
    const example = readmeExample();
    if (/service_stop'?,\s*(\['web',\s*true\]|\{[^}]*report:\s*true)/.test(example)) assert.match(out, /^stopped in \d+ ms$/m);
    else assert.match(out, /^was not running$/m);
    assert.match(out, /^web: \w+, last exit \{"code":null,"signal":"SIGTERM"\}$/m);
    assert.match(out, /^service "nope" is not known$/m, 'the daemon\'s message, without CLI advice');
  } finally {
    fs.rmSync(script, { force: true });
  }
  const status = await statusOf(d, 'web');
  assert.deepEqual([status.target, status.pid], ['Down', 0], 'the service stays stopped once the example is done');
});
