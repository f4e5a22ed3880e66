// `npm pack` and a global install of the tarball give a working `zinit-ts`, even with every install script skipped (koffi's included).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../helpers/paths.js';
import { tempDir, writeServices } from '../../helpers/daemon.js';
import { isAlive } from '../../helpers/proc.js';
import { waitFor } from '../../helpers/wait-for.js';

const dir = tempDir('zinit-pack-');

function childrenOf(ppid: number): { pid: number; cmdline: string }[] {
  const out: { pid: number; cmdline: string }[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== ppid) continue;
      out.push({ pid: Number(d), cmdline: fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ') });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };

test('npm pack holds only what is needed, and npm install -g of it (scripts skipped) gives a zinit-ts that runs, lists and shuts down', { timeout: 300_000 }, async () => {
  execFileSync('npm', ['pack', '--pack-destination', dir], { cwd: repoRoot, stdio: 'ignore' });
  const tgz = path.join(dir, `zinit-ts-${pkg.version}.tgz`);
  const files = execFileSync('tar', ['tzf', tgz], { encoding: 'utf8' }).trim().split('\n');
  assert.ok(files.includes('package/dist/src/cli/main.js'));
  assert.ok(files.includes('package/services.d/web.yaml'));
  assert.ok(files.includes('package/dist/src/index.d.ts'), 'the client library\'s declarations');
  assert.deepEqual(files.filter((f) => /^package\/(src|test|bench|\.ci)\/|(?<!\.d)\.ts$|\.map$/.test(f)), [], 'no sources, tests or maps');

  const prefix = path.join(dir, 'prefix');
  execFileSync('npm', ['install', '-g', '--prefix', prefix, '--ignore-scripts', '--no-audit', '--no-fund', tgz], { stdio: 'ignore' });
  const bin = path.join(prefix, 'bin', 'zinit-ts');
  assert.equal(execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim(), pkg.version);
  assert.ok((fs.statSync(fs.realpathSync(bin)).mode & 0o111) !== 0, 'the command is executable');

  const config = path.join(dir, 'services');
  // The orphan `sleep 0.7` is reparented to zinit-ts (a subreaper) and must be reaped by it: a libc call through koffi.
  writeServices(config, { app: "exec: sh -c '(sleep 0.7 &); exec sleep 1000'\n" });
  const socket = path.join(dir, 'sock');
  const init = spawn(bin, ['-s', socket, 'init', '-c', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  init.stdout.on('data', (b: Buffer) => (out += b.toString()));
  init.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((r) => init.once('exit', (c) => r(c)));
  try {
    await waitFor(() => out.includes('services loaded'), 15_000, 'the installed daemon to start');
    // koffi loaded from its bundled binary with its install script skipped: libc calls work (subreaper set, no load error).
    assert.doesNotMatch(out, /koffi|libc/i);
    const status = await waitFor(() => {
      const rows = JSON.parse(execFileSync(bin, ['-s', socket, 'list', '--json'], { encoding: 'utf8' })) as { name: string; state: string; pid: number }[];
      return rows.find((r) => r.name === 'app' && r.state === 'Running');
    }, 5000, 'app to be Running');
    const orphan = await waitFor(() => childrenOf(init.pid ?? 0).find((c) => c.cmdline === 'sleep 0.7'), 5000, 'the orphan to be reparented to zinit-ts');
    await waitFor(() => !fs.existsSync(`/proc/${orphan.pid}`), 5000, `the orphan ${orphan.pid} to exit and be reaped, not left a zombie`);
    const report = execFileSync(bin, ['-s', socket, 'shutdown'], { encoding: 'utf8' });
    assert.match(report, /remaining: 0/);
    assert.equal(await exited, 0);
    assert.equal(isAlive(status.pid), false);
  } finally {
    init.kill('SIGKILL');
  }
});
