// `list` and `status` load the socket client and the formatter only: no dependency, not commander, not the daemon. Seen from a real process.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startDaemon, tempDir, type DaemonHandle } from '../../helpers/daemon.js';
import { cliEntry, repoRoot } from '../../helpers/paths.js';

const recorder = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'helpers', 'record-loads.js');
const src = pathToFileURL(path.join(repoRoot, 'dist', 'src')).href;
/** The files the quick path may load; the built CLI entry may hold them all in one (bundle-cli). */
const QUICK = ['cli/main.js', 'cli/cli-error.js', 'cli/quick-command.js', 'cli/commands/query.js', 'cli/connect.js', 'cli/format.js', 'cli/rpc-advice.js', 'cli/zinit-fallback.js', 'ipc/client.js', 'ipc/transport-error.js', 'ipc/open-socket.js', 'ipc/zinit-client.js', 'ipc/framing.js', 'errors/errors.js', 'errors/codes.js', 'ipc/param-binder.js'];
/** Built-ins that only the argument parser (child_process) or the daemon's heap limit (v8) bring. */
const NOT_QUICK_BUILTINS = ['node:child_process', 'node:v8', 'node:readline', 'node:http'];

let d: DaemonHandle | undefined;
let dir = '';
before(async () => {
  d = await startDaemon({ web: 'exec: sleep 1000\n', db: 'exec: sleep 1000\n', app: 'exec: sleep 1000\nafter: [db]\n' });
  dir = tempDir('zinit-ts-loads-');
});
after(async () => {
  await d?.cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly loads: readonly string[];
}

let runs = 0;
function runRecorded(args: readonly string[]): Promise<Run> {
  const out = path.join(dir, `loads-${++runs}.txt`);
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', pathToFileURL(recorder).href, cliEntry, ...args], { timeout: 20_000, env: { ...process.env, ZINIT_TEST_LOADS: out } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      const loads = fs.existsSync(out) ? fs.readFileSync(out, 'utf8').split('\n').filter((l) => l !== '') : [];
      resolve({ code, stdout, stderr, loads });
    });
  });
}

const own = (loads: readonly string[]): string[] => [...new Set(loads.filter((u) => u.startsWith(`${src}/`)).map((u) => u.slice(src.length + 1)))];
const packages = (loads: readonly string[]): string[] => [...new Set(loads.filter((u) => u.includes('/node_modules/')).map((u) => u.replace(/^.*\/node_modules\/((?:@[^/]+\/)?[^/]+).*$/, '$1')))];

for (const args of [[], ['-d'], ['list'], ['list', '--json'], ['status', 'app'], ['status', 'app', '--json'], ['status', 'missing']]) {
  test(`${args.join(' ') || '(no command)'} loads no package, not commander, not the daemon`, async () => {
    const r = await runRecorded(['-s', d?.socket ?? '', ...args]);
    if (args[1] === 'missing') assert.match(r.stderr, /zinit-ts: .*missing/);
    else assert.equal(r.code, 0, r.stderr);
    assert.ok(r.loads.includes('node:net'), `the recorder saw the process load the socket module:\n${r.loads.join('\n')}`);
    assert.deepEqual(packages(r.loads), []);
    assert.deepEqual(own(r.loads).filter((f) => !QUICK.includes(f)), []);
    assert.deepEqual(NOT_QUICK_BUILTINS.filter((b) => r.loads.includes(b)), []);
  });
}

test('control: the recorder sees commander for another command, and yaml and graphlib for check', async () => {
  const start = await runRecorded(['-s', d?.socket ?? '', 'start', 'web']);
  assert.ok(packages(start.loads).includes('commander'), start.loads.join('\n'));
  assert.ok(own(start.loads).includes('cli/program.js'));
  const check = await runRecorded(['check', '-c', d?.configDir ?? '']);
  assert.equal(check.code, 0, check.stderr);
  assert.deepEqual(packages(check.loads).filter((p) => p === 'yaml' || p === '@dagrejs/graphlib').sort(), ['@dagrejs/graphlib', 'yaml']);
});

test('list and status answer as before: the table, the status lines, and JSON', async () => {
  const list = await runRecorded(['-s', d?.socket ?? '', 'list']);
  assert.match(list.stdout, /^NAME +STATE +PID +TARGET +LAST EXIT +RESTARTS\n/);
  assert.match(list.stdout, /^app +Running +\d+ +Up +- +0$/m);
  const status = await runRecorded(['-s', d?.socket ?? '', 'status', 'app']);
  assert.match(status.stdout, /^name: {5}app\nstate: {4}Running\npid: {6}\d+\ntarget: {3}Up\nlast exit: -\nrestarts: 0\n(cgroup: {3}(\/\S+\/services\/app\.service|none \(\/proc discovery: [^\n]+\))\n)?after:\n {2}db: Running\n$/);
  const json = JSON.parse((await runRecorded([`--socket=${d?.socket ?? ''}`, 'list', '--json'])).stdout) as { name: string }[];
  assert.deepEqual(json.map((s) => s.name).sort(), ['app', 'db', 'web']);
});
