// A real daemon on service files of every shape zinit's documents show: each one loads and runs, none waits on a config error.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fixture } from '../../helpers/paths.js';
import { runCli, startDaemon, statusOf, type DaemonHandle } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait-for.js';
import { inShim } from '../../helpers/proc.js';

const DIR = fixture('config/zinit-shapes');
const FILES = Object.fromEntries(fs.readdirSync(DIR).filter((f) => f.endsWith('.yaml')).map((f) => [f, fs.readFileSync(path.join(DIR, f), 'utf8')]));
const NAMES = Object.keys(FILES).map((f) => f.slice(0, -'.yaml'.length)).sort();
/** Oneshots end in Success; everything else ends Running. */
const ONESHOTS = new Set(['network', 'prepare']);

let daemon: DaemonHandle | null = null;
afterEach(async () => {
  await daemon?.cleanup();
  daemon = null;
});

test('every zinit-shaped file loads in a real daemon, and each service reaches Running (or Success)', async () => {
  daemon = await startDaemon(FILES);
  assert.doesNotMatch(daemon.output(), /invalid service file/);
  const listed = JSON.parse((await daemon.cli(['list', '--json'])).stdout) as { name: string }[];
  assert.deepEqual(listed.map((s) => s.name), NAMES, 'every file became a service');
  const d = daemon;
  // One list per poll: a status call per service would start a dozen CLI processes each time.
  const final = await waitFor(async () => {
    const all = JSON.parse((await d.cli(['list', '--json'])).stdout) as { name: string; state: string }[];
    return all.length === NAMES.length && all.every((s) => s.state === (ONESHOTS.has(s.name) ? 'Success' : 'Running')) ? all : null;
  }, 20_000, 'every service up', 100);
  assert.deepEqual(final.filter((s) => s.state === 'Blocked'), []);
  const annotated = (await statusOf(daemon, 'annotated')) as { warnings?: string[] };
  const file = path.join(daemon.configDir, 'annotated.yaml');
  assert.deepEqual(annotated.warnings?.map((w) => w.replace(/; known keys are exec, test, .*$/, '; known keys are …')), [
    `${file}:2:1: unknown key "description"; known keys are …`,
    `${file}:4:1: unknown key "maintainer"; known keys are …`,
  ]);
  const backend = await statusOf(daemon, 'backend');
  assert.deepEqual(backend.after, { prepare: 'Success', cache: 'Running' });
  // sh -c execs its command: once the pid has left sh, it is that command.
  const cmdline = await waitFor(() => {
    const argv = fs.readFileSync(`/proc/${backend.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    return argv[0] === 'sh' || argv[0] === '/bin/sh' || inShim(backend.pid) ? null : argv;
  }, 10_000, 'the backend to exec its command');
  assert.deepEqual(cmdline, ['sleep', '903'], 'sh -c ran the command it was given');
});

test('check on the same files fails on the unknown keys only', async () => {
  const r = await runCli(['check', '-c', DIR]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, new RegExp(`^${NAMES.length - 1} service\\(s\\) valid, 1 invalid$`, 'm'));
  const lines = r.stderr.trimEnd().split('\n');
  assert.deepEqual(lines.map((l) => l.replace(/; known keys are .*$/, '')), [
    `${path.join(DIR, 'annotated.yaml')}:2:1: unknown key "description"`,
    `${path.join(DIR, 'annotated.yaml')}:4:1: unknown key "maintainer"`,
  ]);
});
