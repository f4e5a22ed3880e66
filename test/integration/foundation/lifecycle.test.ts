import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fixture } from '../../helpers/paths.js';
import { startDaemon, statusOf, tempDir, runCli, waitState, writeServices, type DaemonHandle } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait-for.js';
import { isAlive } from '../../helpers/proc.js';

let daemon: DaemonHandle | null = null;
afterEach(async () => {
  await daemon?.cleanup();
  daemon = null;
});

const journalLines = (file: string): string[][] =>
  fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => l.split(' ')) : [];

test('a chain starts in dependency order, each only once its dependency is ready; shutdown stops it in reverse', async () => {
  const dir = tempDir();
  const j = path.join(dir, 'journal');
  const ready = path.join(dir, 'db.ready');
  const svc = fixture('svc.sh');
  daemon = await startDaemon(
    {
      db: `exec: sh -c 'sleep 0.4; date +%s%N > ${ready}; exec ${svc} db ${j}'\ntest: test -s ${ready}\n`,
      migrate: `exec: sh -c 'echo "start migrate $(date +%s%N)" >> ${j}'\noneshot: true\nafter: [db]\n`,
      // Ready once its start is in the journal: web, after it, can then only start later.
      app: `exec: ${svc} app ${j}\nafter: [migrate]\ntest: grep -q '^start app ' ${j}\n`,
      web: `exec: ${svc} web ${j}\nafter: [app]\n`,
    },
    [],
    { dir },
  );
  await waitState(daemon, 'web', 'Running');
  // web has no probe: it is Running once spawned, and its script writes its start a moment later.
  const starts = await waitFor(() => {
    const lines = journalLines(j).filter((l) => l[0] === 'start');
    return lines.some((l) => l[1] === 'web') && lines;
  }, 5_000, 'web to journal its start');
  assert.deepEqual(starts.map((l) => l[1]), ['db', 'migrate', 'app', 'web']);
  const readyAt = Number(fs.readFileSync(ready, 'utf8').trim());
  const migrateAt = Number(starts[1]?.[2]);
  assert.ok(migrateAt >= readyAt, 'migrate started only after db became ready');
  assert.equal((await statusOf(daemon, 'migrate')).state, 'Success');
  assert.deepEqual((await statusOf(daemon, 'app')).after, { migrate: 'Success' });

  const pids = await Promise.all(['db', 'app', 'web'].map(async (n) => (await statusOf(daemon!, n)).pid));
  const r = await daemon.cli(['shutdown']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await daemon.exited(), 0);
  const stops = journalLines(j).filter((l) => l[0] === 'stop').map((l) => l[1]);
  assert.deepEqual(stops, ['web', 'app', 'db']);
  for (const pid of pids) assert.equal(isAlive(pid), false, `pid ${pid} is gone`);
  assert.match(daemon.output(), /remaining: 0/);
});

test('a service after a missing one is Blocked with the reason; a broken file is reported and skipped', async () => {
  daemon = await startDaemon({
    orphan: 'exec: sleep 1000\nafter: [ghost]\n',
    broken: 'exec: sleep 1000\nshutdown_timeout: soon\n',
    needsbroken: 'exec: sleep 1000\nafter: [broken]\n',
    fine: 'exec: sleep 1000\n',
  });
  await waitState(daemon, 'fine', 'Running');
  const o = await waitState(daemon, 'orphan', 'Blocked');
  assert.match(o.reason ?? '', /"ghost" is not defined/);
  assert.deepEqual(o.after, { ghost: 'Unknown' });
  const nb = await waitState(daemon, 'needsbroken', 'Blocked');
  assert.match(nb.reason ?? '', /"broken" has an invalid service file/);
  assert.match(daemon.output(), /broken\.yaml:2:19: shutdown_timeout must be a non-negative number of seconds/);
  const list = await daemon.cli(['list', '--json']);
  assert.deepEqual((JSON.parse(list.stdout) as { name: string }[]).map((s) => s.name), ['fine', 'needsbroken', 'orphan']);
  const missing = await daemon.cli(['status', 'broken']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /^zinit-ts: service "broken" is not known/);
  assert.equal(missing.stderr.trim().split('\n').length, 1, 'one line on stderr');
});

test('stop and start work; a service killed with SIGKILL is respawned with a new pid and its exit recorded', async () => {
  daemon = await startDaemon({ worker: 'exec: sleep 1000\nrestart_delay: 0.05\n' });
  const first = await waitState(daemon, 'worker', 'Running');
  process.kill(first.pid, 'SIGKILL');
  const second = await waitFor(async () => {
    const s = await statusOf(daemon!, 'worker');
    return s.state === 'Running' && s.pid !== first.pid ? s : null;
  }, 10_000, 'respawn with a new pid');
  assert.notEqual(second.pid, first.pid);
  assert.equal(isAlive(second.pid), true);
  assert.deepEqual(second.exit, { code: null, signal: 'SIGKILL' });
  assert.equal(second.restarts, 1);

  const stop = await daemon.cli(['stop', 'worker']);
  assert.equal(stop.code, 0, stop.stderr);
  assert.equal(isAlive(second.pid), false, 'stop returns only once the process is gone');
  const stopped = await statusOf(daemon, 'worker');
  assert.equal(stopped.target, 'Down');
  assert.equal(stopped.pid, 0);
  const start = await daemon.cli(['start', 'worker']);
  assert.equal(start.code, 0, start.stderr);
  const third = await waitState(daemon, 'worker', 'Running');
  assert.ok(third.pid > 0 && third.pid !== second.pid);
});

test('check on a cycle exits non-zero and prints the cycle path', async () => {
  const dir = tempDir();
  writeServices(dir, { a: 'exec: sleep 1\nafter: [b]\n', b: 'exec: sleep 1\nafter: [c]\n', c: 'exec: sleep 1\nafter: [a]\n', d: 'exec: sleep 1\n' });
  const r = await runCli(['check', '-c', dir]);
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /dependency cycle: a → b → c → a/);
});

test('check on the example services.d passes and prints the order', async () => {
  const r = await runCli(['check', '-c', path.join(fixture('..'), '..', 'services.d')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /start order:\n {2}1\. prepare\n {2}2\. db\n {2}3\. web/);
});

// A bound against hanging or retrying, not a speed figure: 3 s holds on a loaded 2-core machine.
test('the CLI says that no daemon is running and does not wait for one (exits within 3 s)', async () => {
  const t0 = Date.now();
  const r = await runCli(['list'], { socket: path.join(tempDir(), 'none.sock') });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no daemon is running/);
  assert.ok(Date.now() - t0 < 3000);
});

test('check --budget prints the worst-case shutdown and fails when it exceeds the budget', async () => {
  const dir = tempDir();
  writeServices(dir, {
    db: 'exec: sleep 1\nshutdown_timeout: 20\n',
    app: 'exec: sleep 1\nafter: [db]\nshutdown_timeout: 15\n',
    side: 'exec: sleep 1\nshutdown_timeout: 30\n',
  });
  const within = await runCli(['check', '-c', dir, '--budget', '40']);
  assert.equal(within.code, 0, within.stderr);
  assert.match(within.stdout, /worst-case shutdown: 35\.0 s \(db → app\)/);
  const over = await runCli(['check', '-c', dir, '--budget', '30']);
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(over.code, 1);
  assert.match(over.stderr, /worst-case shutdown 35\.0 s exceeds the budget of 30 s/);
});
