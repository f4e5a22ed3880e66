// The README's two commands, taken from the README itself and run as written in a fresh clone: the first serves the example services, the second passes the whole suite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../helpers/paths.js';
import { tempDir } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait-for.js';

// The second command runs this very suite; inside it, this file would recurse.
const inner = process.env.ZINIT_TS_README_INNER === '1';
const skip = inner ? 'running inside the README test itself' : false;

function readmeCommands(): string[] {
  const text = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const head = text.slice(0, text.indexOf('\n## '));
  return [...head.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => (m[1] ?? '').trim());
}

function freshClone(dir: string): string {
  const clone = path.join(dir, 'clone');
  execFileSync('git', ['clone', '--quiet', repoRoot, clone]);
  return clone;
}

test('the README starts with exactly two commands: install and run, then the test suite', () => {
  const cmds = readmeCommands();
  assert.equal(cmds.length, 2, cmds.join('\n---\n'));
  assert.match(cmds[0] ?? '', /zinit-ts .*init -c services\.d$/);
  assert.match(cmds[1] ?? '', /npm test$/);
});

test("the README's first command, as written in a fresh clone, installs zinit-ts and serves the example services until Ctrl-C", { skip, timeout: 600_000 }, async () => {
  const [first] = readmeCommands();
  const dir = tempDir('zinit-readme-');
  const prefix = path.join(dir, 'prefix');
  // `npm install -g` goes to a prefix of the test's own, so the machine's global packages stay as they were.
  const env = { ...process.env, npm_config_prefix: prefix, PATH: `${path.join(prefix, 'bin')}:${process.env.PATH ?? ''}`, ZINIT_SOCKET: '' };
  const clone = freshClone(dir);
  const sh = spawn('bash', ['-c', first ?? ''], { cwd: clone, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  sh.stdout.on('data', (b: Buffer) => (out += b.toString()));
  sh.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((r) => sh.once('exit', (code) => r(code)));
  try {
    await waitFor(() => out.includes('services loaded') || out.includes('npm error'), 480_000, 'the manager to start', 200);
    assert.doesNotMatch(out, /npm error/);
    const bin = path.join(prefix, 'bin', 'zinit-ts');
    const list = await waitFor(() => {
      const text = execFileSync(bin, ['-s', '/tmp/zinit-ts.sock', 'list', '--json'], { encoding: 'utf8', env });
      const rows = JSON.parse(text) as { name: string; state: string }[];
      const state = Object.fromEntries(rows.map((r) => [r.name, r.state]));
      return state.db === 'Running' && state.web === 'Running' && state.prepare === 'Success' ? state : null;
    }, 20_000, 'the example services to be up');
    assert.deepEqual(Object.keys(list).sort(), ['db', 'prepare', 'web']);
    // Ctrl-C: SIGINT to the foreground process group.
    process.kill(-(sh.pid ?? 0), 'SIGINT');
    assert.equal(await exited, 0, out.slice(-3000));
    assert.match(out, /remaining: 0/);
    assert.equal(fs.existsSync('/tmp/zinit-ts.sock'), false);
  } finally {
    try {
      process.kill(-(sh.pid ?? 0), 'SIGKILL');
    } catch {
      // already gone
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("the README's second command, as written in a fresh clone, passes the whole suite", { skip, timeout: 40 * 60_000 }, async () => {
  const [, second] = readmeCommands();
  const dir = tempDir('zinit-readme-');
  const clone = freshClone(dir);
  // The inner suite is a run of its own, not a child of this test: node:test would otherwise skip its files.
  const { NODE_TEST_CONTEXT: _context, ...env } = process.env;
  const sh = spawn('bash', ['-c', second ?? ''], { cwd: clone, env: { ...env, ZINIT_TS_README_INNER: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  sh.stdout.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-200_000)));
  sh.stderr.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-200_000)));
  try {
    const code = await new Promise<number | null>((r) => sh.once('exit', (c) => r(c)));
    const failures = out.split('\n').filter((l) => /^not ok /.test(l));
    assert.equal(code, 0, `exit ${code}; failing: ${failures.join('; ')}\n${out.slice(-4000)}`);
    assert.match(out, /^# fail 0$/m);
    assert.match(out, /^# pass [1-9]\d*$/m);
  } finally {
    sh.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
