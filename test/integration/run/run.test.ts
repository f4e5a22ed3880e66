import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cliEntry, fixture } from '../../helpers/paths.js';
import { startDaemon, tempDir, type DaemonHandle } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait-for.js';
import { isAlive, pidsWithMarker } from '../../helpers/proc.js';

let daemon: DaemonHandle;
before(async () => {
  daemon = await startDaemon({ idle: 'exec: sleep 1000\n' });
});
after(async () => {
  await daemon.cleanup();
});

test('exit codes come back exact: 0, 2, 255, 127 for a missing command, 128+signal for a killed one', async () => {
  const cases: [string[], number][] = [
    [['true'], 0],
    [['sh', '-c', 'exit 2'], 2],
    [['sh', '-c', 'exit 255'], 255],
    [['/no/such/command'], 127],
    [['sh', '-c', 'kill -SEGV $$'], 139],
    [['sh', '-c', 'kill -KILL $$'], 137],
  ];
  for (const [argv, code] of cases) {
    const r = await daemon.cli(['run', '--', ...argv]);
    assert.equal(r.code, code, `${argv.join(' ')}: ${r.stderr}`);
  }
  const nf = await daemon.cli(['run', '--', '/no/such/command']);
  assert.match(nf.stderr, /command not found: \/no\/such\/command/);
});

test('output is streamed to the client: stdout to stdout, stderr to stderr', async () => {
  const r = await daemon.cli(['run', '--', 'sh', '-c', 'echo out; echo err >&2; exit 4']);
  assert.equal(r.code, 4);
  assert.equal(r.stdout, 'out\n');
  assert.equal(r.stderr, 'err\n');
});

test('a run with --timeout leaves no process behind', async () => {
  const mark = `t${Date.now()}`;
  const t0 = Date.now();
  const r = await daemon.cli(['run', '--timeout', '1', '--', 'sh', '-c', `sleep 1000 & sleep 1001 & echo ${mark}; wait`]);
  assert.equal(r.code, 137);
  assert.match(r.stderr, /timed out after 1 s/);
  assert.ok(Date.now() - t0 < 10_000);
  assert.deepEqual(pidsWithMarker('sleep 1000').filter((p) => fs.readFileSync(`/proc/${p}/environ`, 'utf8').includes('ZINIT_TS_SERVICE=run/')), []);
  assert.deepEqual(pidsWithMarker('sleep 1001'), []);
});

test('killing the client kills the command tree', async () => {
  const dir = tempDir();
  const marker = path.join(dir, 'ran');
  const client = spawn(process.execPath, [cliEntry, '-s', daemon.socket, 'run', '--name', 'victim', '--', 'sh', '-c', `touch ${marker}; sleep 1002 & sleep 1003; wait`], { stdio: 'ignore' });
  await waitFor(() => fs.existsSync(marker) && pidsWithMarker('sleep 1003').length > 0, 10_000, 'run started');
  const listed = await daemon.cli(['list', '--json']);
  assert.ok((JSON.parse(listed.stdout) as { name: string }[]).some((s) => s.name === 'run:victim'), 'a transient run shows in list while it runs');
  const victims = [...pidsWithMarker('sleep 1002'), ...pidsWithMarker('sleep 1003')];
  client.kill('SIGKILL');
  await waitFor(() => victims.every((p) => !isAlive(p)), 10_000, 'the tree to die with its client');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('50 concurrent runs while a service leaves 1000 orphans behind: every exit code exact', async () => {
  const storm = await startDaemon({ storm: `exec: ${fixture('orphan-storm.sh')} 1000\nrestart_delay: 0.01\n` });
  try {
    const runs = Array.from({ length: 50 }, (_, i) => {
      const code = (i * 5) % 256;
      return storm.cli(['run', '--', 'sh', '-c', `exit ${code}`], 60_000).then((r) => [r.code, code, r.stderr] as const);
    });
    for (const [got, want, stderr] of await Promise.all(runs)) assert.equal(got, want, stderr);
  } finally {
    await storm.cleanup();
  }
});
