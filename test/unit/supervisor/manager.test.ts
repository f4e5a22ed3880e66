import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceManager } from '../../../src/supervisor/manager.js';
import { FIRST_SCAN_MS } from '../../../src/supervisor/service-stop.js';
import type { ConfigError, ServiceConfig } from '../../../src/config/types.js';
import { ServiceAlreadyMonitoredError, ServiceIsUpError, ServiceNotFoundError } from '../../../src/errors/errors.js';
import { ErrorCode } from '../../../src/errors/codes.js';
import { FakeClock, flush } from '../../helpers/fake-clock.js';
import { FakeOs } from '../../helpers/fake-os.js';
import { quietLogger, svc } from '../../helpers/service-config.js';

function setup(configs: ServiceConfig[], extra: { critical?: (n: string, c: number) => void; spawned?: (name: string, pid: number) => void } = {}) {
  const clock = new FakeClock();
  const os = new FakeOs();
  const m = new ServiceManager({
    proc: os,
    table: os,
    clock,
    logger: quietLogger,
    env: () => ({}),
    output: () => null,
    childEvents: os,
    ...(extra.critical ? { onCriticalFailure: extra.critical } : {}),
    ...(extra.spawned ? { onSpawned: (c: ServiceConfig, pid: number) => extra.spawned?.(c.name, pid) } : {}),
  });
  m.load(new Map(configs.map((c) => [c.name, c])), []);
  return { clock, os, m };
}

test('a chain starts in order, each only once its dependency is ready', async () => {
  const { clock, os, m } = setup([
    svc('db', { testArgv: ['probe'] }),
    svc('migrate', { oneshot: true, after: ['db'] }),
    svc('app', { after: ['migrate'] }),
    svc('web', { after: ['app'] }),
  ]);
  os.probeResult.set('db', 1);
  m.startAll();
  await flush();
  assert.equal(os.mains('db').length, 1);
  assert.equal(os.mains('migrate').length, 0);
  assert.equal(m.status('migrate').state, 'Blocked');
  assert.match(m.status('migrate').reason ?? '', /waiting for "db"/);
  await clock.advance(200);
  assert.equal(m.status('db').state, 'Spawned', 'probe keeps failing');
  os.probeResult.set('db', 0);
  await clock.advance(2000);
  assert.equal(m.status('db').state, 'Running');
  assert.equal(os.mains('migrate').length, 1);
  assert.equal(os.mains('app').length, 0, 'app waits for the oneshot to finish');
  os.live('migrate')?.exit({ code: 0, signal: null });
  await flush();
  assert.equal(m.status('migrate').state, 'Success');
  assert.equal(os.mains('app').length, 1);
  await flush();
  assert.equal(os.mains('web').length, 1);
  const order = os.spawned.filter((p) => p.req.role === 'main').map((p) => p.req.service);
  assert.deepEqual(order, ['db', 'migrate', 'app', 'web']);
});

test('a missing dependency blocks with a reason; a failed oneshot blocks its dependents until it recovers', async () => {
  const { os, m } = setup([svc('app', { after: ['ghost'] }), svc('init', { oneshot: true }), svc('web', { after: ['init'] })]);
  m.startAll();
  await flush();
  assert.equal(m.status('app').state, 'Blocked');
  assert.match(m.status('app').reason ?? '', /"ghost" is not defined/);
  assert.deepEqual(m.status('app').after, { ghost: 'Unknown' });
  os.live('init')?.exit({ code: 3, signal: null });
  await flush();
  assert.equal(m.status('init').state, 'Error');
  assert.match(m.status('web').reason ?? '', /"init" failed \(Error, exit code 3\)/);
  m.start('init');
  await flush();
  os.live('init')?.exit({ code: 0, signal: null });
  await flush();
  assert.equal(os.mains('web').length, 1, 'dependent starts once the dependency recovers');
});

test('a crashing service is respawned with exponential backoff and fails after max_restarts', async () => {
  const { clock, os, m } = setup([svc('crash', { maxRestarts: 3, restartDelayMs: 100 })]);
  m.startAll();
  await flush();
  const spawnTimes: number[] = [clock.now()];
  for (let i = 0; i < 4; i++) {
    os.live('crash')?.exit({ code: 1, signal: null });
    await flush();
    if (i < 3) {
      await clock.advance(100 * 2 ** i - 1);
      assert.equal(os.live('crash'), undefined, `respawn ${i + 1} not before its delay`);
      await clock.advance(1);
      assert.ok(os.live('crash'), `respawn ${i + 1} at its delay`);
      spawnTimes.push(clock.now());
    }
  }
  assert.equal(m.status('crash').state, 'Failure');
  assert.equal(m.status('crash').restarts, 3);
  assert.deepEqual(m.status('crash').exit, { pid: os.mains('crash').at(-1)?.pid, code: 1, signal: null }, 'the last run, and which process it was');
  assert.deepEqual(spawnTimes.slice(1).map((t, i) => t - (spawnTimes[i] ?? 0)), [100, 200, 400]);
});

test('stop escalates to SIGKILL exactly at shutdown_timeout when the stop signal is ignored', async () => {
  const { clock, os, m } = setup([svc('stubborn', { shutdownTimeoutMs: 1000, stopSignal: 'SIGINT' })]);
  os.diesOn = new Set(['SIGKILL']);
  m.startAll();
  await flush();
  const pid = os.live('stubborn')?.pid ?? -1;
  const stopping = m.stop('stubborn');
  await flush();
  assert.deepEqual(os.signals.filter((s) => s.pid === pid).map((s) => s.signal), ['SIGINT', 'SIGCONT']);
  await clock.advance(999);
  assert.ok(!os.signals.some((s) => s.signal === 'SIGKILL'), 'no SIGKILL before the deadline');
  await clock.advance(1);
  const report = await stopping;
  assert.equal(report.sigkill, true);
  assert.equal(report.durationMs, 1000);
  assert.equal(m.status('stubborn').state, 'Success');
  assert.equal(m.status('stubborn').target, 'Down');
  assert.equal(os.mains('stubborn').length, 1, 'a stopped service is not respawned');
});

test('shutdown stops dependents before dependencies and independent chains in parallel', async () => {
  const { clock, os, m } = setup([
    svc('db', { shutdownTimeoutMs: 1000 }),
    svc('app', { after: ['db'], shutdownTimeoutMs: 1000 }),
    svc('other', { shutdownTimeoutMs: 1000 }),
  ]);
  os.diesOn = new Set(['SIGKILL']);
  m.startAll();
  await flush();
  await flush();
  const pids = Object.fromEntries(['db', 'app', 'other'].map((n) => [n, os.live(n)?.pid ?? -1]));
  const done = m.shutdown();
  await flush();
  const first = os.signals.filter((s) => s.signal === 'SIGTERM').map((s) => s.pid).sort();
  assert.deepEqual(first, [pids.app, pids.other].sort(), 'db waits for app');
  await clock.advance(1000);
  assert.ok(os.signals.some((s) => s.pid === pids.db && s.signal === 'SIGTERM'), 'db is stopped once app is gone');
  await clock.advance(1000);
  const report = await done;
  assert.equal(report.durationMs, 2000, 'two levels of one timeout each, not three');
});

test('a critical oneshot failure is reported with its exit code', async () => {
  const calls: [string, number][] = [];
  const { os, m } = setup([svc('setup', { oneshot: true, critical: true })], { critical: (n, c) => calls.push([n, c]) });
  m.startAll();
  await flush();
  os.live('setup')?.exit({ code: 7, signal: null });
  await flush();
  assert.deepEqual(calls, [['setup', 7]]);
});

test('a respawn first stops what the previous run left behind', async () => {
  const { clock, os, m } = setup([svc('leaky', { restartDelayMs: 100, shutdownTimeoutMs: 1000 })]);
  m.startAll();
  await flush();
  const first = os.live('leaky');
  const child = { pid: 999, startTime: 1, ppid: 1, pgrp: 999, session: 999, comm: 'sleep', state: 'S', escaped: true, underMain: false };
  os.extra.set('leaky', [child]);
  first?.exit({ code: 1, signal: null });
  await flush();
  await clock.advance(100);
  assert.deepEqual(os.signals.filter((s) => s.pid === 999).map((s) => s.signal), ['SIGTERM', 'SIGCONT']);
  assert.equal(os.mains('leaky').length, 1, 'no new run while the leftover lives');
  await clock.advance(1000);
  assert.ok(os.signals.some((s) => s.pid === 999 && s.signal === 'SIGKILL'), 'SIGKILL at the timeout');
  os.setExtra('leaky', []);
  await clock.advance(50);
  assert.equal(os.mains('leaky').length, 2, 'respawned once the leftover is gone');
  assert.equal(m.status('leaky').restarts, 1);
});

test('probes run at once, then on the growing schedule; a hung probe is killed at test_timeout and counts as failed', async () => {
  const { clock, os, m } = setup([svc('slow', { testArgv: ['probe'], testTimeoutMs: 500 })]);
  os.probeResult.set('slow', 1);
  m.startAll();
  await flush();
  const probes = (): number => os.spawned.filter((p) => p.req.role === 'test').length;
  await clock.advance(0);
  assert.equal(probes(), 1, 'first probe at once');
  await clock.advance(49);
  assert.equal(probes(), 1);
  await clock.advance(1);
  assert.equal(probes(), 2, 'second probe at 50 ms');
  await clock.advance(63);
  assert.equal(probes(), 3, 'third probe 63 ms later (50 × 1.25, rounded)');
  os.probeResult.set('slow', 'hang');
  await clock.advance(78);
  const hung = os.spawned.filter((p) => p.req.role === 'test').at(-1);
  assert.equal(hung?.exited, false);
  await clock.advance(499);
  assert.equal(hung?.exited, false, 'not killed before test_timeout');
  await clock.advance(1);
  assert.equal(hung?.exited, true, 'killed at test_timeout');
  assert.ok(os.signals.some((s) => s.pid === hung?.pid && s.signal === 'SIGKILL'));
  assert.equal(m.status('slow').state, 'Spawned', 'a failed probe keeps the service waiting');
  os.probeResult.set('slow', 0);
  await clock.advance(2000);
  assert.equal(m.status('slow').state, 'Running');
});

test('the stop signal goes to the main group and to escapees; children in groups of their own are left to the main process', async () => {
  const { clock, os, m } = setup([svc('pg', { shutdownTimeoutMs: 1000 })]);
  os.diesOn = new Set(['SIGKILL']);
  m.startAll();
  await flush();
  const main = os.live('pg')?.pid ?? -1;
  const backend = { pid: 500, startTime: 1, ppid: main, pgrp: 500, session: 500, comm: 'postgres', state: 'S', escaped: false, underMain: true };
  const escapee = { pid: 600, startTime: 1, ppid: 1, pgrp: 600, session: 600, comm: 'daemon', state: 'S', escaped: true, underMain: false };
  os.extra.set('pg', [backend, escapee]);
  const stopping = m.stop('pg');
  await flush();
  const to = (pid: number): string[] => os.signals.filter((s) => s.pid === pid).map((s) => s.signal);
  assert.deepEqual(to(main), ['SIGTERM', 'SIGCONT']);
  assert.deepEqual(to(600), [], 'the rest waits for the first walk of the process table');
  await clock.advance(FIRST_SCAN_MS);
  assert.deepEqual(to(500), ['SIGCONT'], 'a backend in its own group hears from its postmaster, not from us');
  assert.deepEqual(to(600), ['SIGTERM', 'SIGCONT'], 'nobody else would tell the escapee');
  await clock.advance(1000 - FIRST_SCAN_MS);
  assert.deepEqual(to(500), ['SIGCONT', 'SIGKILL'], 'at the deadline everything found is killed');
  os.setExtra('pg', []);
  await clock.advance(50);
  assert.equal((await stopping).sigkill, true);
});

test('at the deadline every process found gets its own SIGKILL, even one recorded in the main group', async () => {
  const { clock, os, m } = setup([svc('moved', { shutdownTimeoutMs: 500 })]);
  os.diesOn = new Set(['SIGKILL']);
  m.startAll();
  await flush();
  const main = os.live('moved')?.pid ?? -1;
  // Seen in the main group by the scan, but it may have called setsid() since: the group kill would miss it.
  const child = { pid: 700, startTime: 1, ppid: main, pgrp: main, session: main, comm: 'sh', state: 'S', escaped: false, underMain: true };
  os.extra.set('moved', [child]);
  const stopping = m.stop('moved');
  await flush();
  const to = (pid: number): string[] => os.signals.filter((s) => s.pid === pid).map((s) => s.signal);
  assert.deepEqual(to(700), [], 'the stop signal and SIGCONT reach it through its group, not twice');
  await clock.advance(500);
  assert.deepEqual(to(700), ['SIGKILL']);
  os.setExtra('moved', []);
  await clock.advance(50);
  await stopping;
});

const byName = (configs: ServiceConfig[]): Map<string, ServiceConfig> => new Map(configs.map((c) => [c.name, c]));
const signalsTo = (os: FakeOs, pid: number): string[] => os.signals.filter((s) => s.pid === pid).map((s) => s.signal);

test('reload starts a service that was added and leaves an unchanged one running with the same pid', async () => {
  const { clock, os, m } = setup([svc('keep')]);
  m.startAll();
  await flush();
  const pid = os.live('keep')?.pid ?? -1;
  // Only the file it came from differs: not a change.
  const reloading = m.reload(byName([svc('keep', { source: '/etc/zinit/keep.yaml' }), svc('fresh')]), []);
  await clock.advance(0);
  const result = await reloading;
  assert.deepEqual(result, { added: ['fresh'], removed: [], changed: [], errors: [] });
  await flush();
  assert.ok(m.has('fresh'));
  assert.equal(os.mains('fresh').length, 1, 'the new service is started');
  assert.equal(m.status('fresh').target, 'Up');
  assert.equal(os.mains('keep').length, 1, 'the unchanged service is not respawned');
  assert.equal(os.live('keep')?.pid, pid, 'same process as before the reload');
  assert.deepEqual(signalsTo(os, pid), [], 'the unchanged service is not signalled');
  assert.deepEqual(m.names(), ['fresh', 'keep']);
});

test('reload stops a removed service and forgets it', async () => {
  const { clock, os, m } = setup([svc('gone'), svc('stay')]);
  m.startAll();
  await flush();
  const pid = os.live('gone')?.pid ?? -1;
  const reloading = m.reload(byName([svc('stay')]), []);
  await clock.advance(1000);
  const result = await reloading;
  assert.deepEqual(result.removed, ['gone']);
  assert.ok(signalsTo(os, pid).includes('SIGTERM'), 'the removed service got its stop signal');
  assert.equal(os.live('gone'), undefined, 'its process is gone');
  assert.equal(m.has('gone'), false);
  assert.deepEqual(m.names(), ['stay']);
  assert.throws(() => m.status('gone'), (e: unknown) => e instanceof ServiceNotFoundError && e.code === ErrorCode.SERVICE_NOT_FOUND);
  await clock.advance(5000);
  assert.equal(os.mains('gone').length, 1, 'never respawned');
});

test('reload keeps a service whose file no longer parses: the error is returned, the process left alone', async () => {
  const { clock, os, m } = setup([svc('broken')]);
  m.startAll();
  await flush();
  const pid = os.live('broken')?.pid ?? -1;
  const errors: ConfigError[] = [{ file: '/etc/zinit/broken.yaml', service: 'broken', line: 1, column: 1, message: 'exec is required' }];
  const reloading = m.reload(new Map(), errors);
  await clock.advance(0);
  const result = await reloading;
  assert.deepEqual(result.removed, []);
  assert.equal(result.errors.length, 1);
  assert.equal(os.live('broken')?.pid, pid);
  assert.deepEqual(signalsTo(os, pid), []);
});

test('reload restarts a changed running service with its new config; a changed stopped one takes the config and stays down', async () => {
  const { clock, os, m } = setup([svc('web'), svc('idle')]);
  m.startAll();
  await flush();
  await m.stop('idle');
  assert.equal(m.status('idle').target, 'Down');
  const old = os.live('web')?.pid ?? -1;
  const reloading = m.reload(byName([svc('web', { argv: ['run-web', '--v2'] }), svc('idle', { argv: ['run-idle', '--v2'] })]), []);
  await clock.advance(1000);
  const result = await reloading;
  assert.deepEqual([...result.changed].sort(), ['idle', 'web']);
  await flush();
  assert.ok(signalsTo(os, old).includes('SIGTERM'), 'the old run is stopped');
  const runs = os.mains('web');
  assert.equal(runs.length, 2, 'started again');
  assert.notEqual(os.live('web')?.pid, old);
  assert.deepEqual(runs[1]?.req.argv, ['run-web', '--v2'], 'the new run uses the new config');
  assert.equal(m.status('web').target, 'Up');
  assert.deepEqual(m.runner('idle').config.argv, ['run-idle', '--v2']);
  assert.equal(m.status('idle').target, 'Down', 'a service stopped by the operator is not started by a reload');
  assert.equal(os.mains('idle').length, 1);
});

test('forget refuses a running service (SERVICE_IS_UP) and drops a stopped one', async () => {
  const { os, m } = setup([svc('once')]);
  m.startAll();
  await flush();
  assert.throws(
    () => m.forget('once'),
    (e: unknown) => e instanceof ServiceIsUpError && e.code === ErrorCode.SERVICE_IS_UP && e.service === 'once',
  );
  assert.ok(m.has('once'), 'still known after the refusal');
  assert.ok(os.live('once'), 'and still running');
  await m.stop('once');
  m.forget('once');
  assert.equal(m.has('once'), false);
  assert.deepEqual(m.names(), []);
  assert.throws(() => m.forget('once'), ServiceNotFoundError);
});

test('monitor adds one service and starts it; monitoring a known name again is refused (SERVICE_ALREADY_MONITORED)', async () => {
  const { os, m } = setup([svc('base')]);
  m.startAll();
  await flush();
  m.monitor(svc('later'));
  assert.ok(m.has('later'));
  await flush();
  assert.equal(os.mains('later').length, 1, 'started without startAll');
  assert.equal(m.status('later').target, 'Up');
  assert.equal(os.mains('base').length, 1, 'the others are not touched');
  assert.throws(
    () => m.monitor(svc('later')),
    (e: unknown) => e instanceof ServiceAlreadyMonitoredError && e.code === ErrorCode.SERVICE_ALREADY_MONITORED && e.service === 'later',
  );
  await flush();
  assert.equal(os.mains('later').length, 1, 'the refused monitor spawned nothing');
});

test('start of a service that is up is a silent success: no second process, no error', async () => {
  const { os, m } = setup([svc('web')]);
  m.startAll();
  await flush();
  m.start('web');
  await flush();
  assert.equal(os.mains('web').length, 1);
  assert.throws(() => m.start('ghost'), ServiceNotFoundError);
});

test('onSpawned is told of each main process with its pid (every respawn too), never of a probe', async () => {
  const heard: [string, number][] = [];
  const { clock, os, m } = setup([svc('web', { testArgv: ['probe'] })], { spawned: (name, pid) => heard.push([name, pid]) });
  m.startAll();
  await flush();
  const first = os.live('web');
  await clock.advance(100);
  first?.exit({ code: 3, signal: null });
  await flush();
  await clock.advance(1000);
  const mains = os.mains('web');
  assert.equal(mains.length, 2, 'respawned');
  assert.ok(os.spawned.some((p) => p.req.role === 'test'), 'a probe ran');
  assert.deepEqual(heard, mains.map((p) => ['web', p.pid]));
});

