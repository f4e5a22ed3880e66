// ready: and live: probes against real servers: dependents wait for the probe, a failing liveness probe restarts
// the service through its normal stop, a hung command probe is killed at test_timeout, /healthz/ready follows liveness.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startDaemon, tempDir, waitState, type DaemonHandle } from '../../helpers/daemon.js';
import { fateOf, isAlive, processList, type ProcIdentity } from '../../helpers/proc.js';
import { waitFor } from '../../helpers/wait-for.js';
import { freePorts } from '../real-daemons/loopback-ports.js';
import { healthStatus, listenedAt, listenedBy, metricsPort, serverEvents, serverExec, seriesValue, timeWritten, writeTime } from './health-helpers.js';

let daemon: DaemonHandle | null = null;
afterEach(async () => {
  await daemon?.cleanup();
  daemon = null;
});

/** A dependent that writes its start time to `file`, then sleeps. */
const dependent = (file: string, after: string): string => `exec: sh -c '${writeTime(file)}; exec sleep 1000'\nafter: [${after}]\n`;

test('ready: http:// — the dependent starts after the server listens and answers /ready, within one probe interval', async () => {
  const dir = tempDir();
  const [port] = await freePorts(1);
  const appStarted = path.join(dir, 'app.started');
  daemon = await startDaemon(
    {
      web: `exec: ${serverExec('http', port ?? 0, 300, dir)}\nready: http://127.0.0.1:${port}/ready\n`,
      app: dependent(appStarted, 'web'),
    },
    [],
    { dir },
  );
  await waitState(daemon, 'app', 'Running');
  const listen = await listenedBy(dir);
  const appAt = await timeWritten(appStarted, 'app');
  assert.ok(appAt >= listen, `app started at ${appAt}, before the server listened at ${listen}`);
  assert.ok(appAt - listen < 2500, `app started ${(appAt - listen).toFixed(1)} ms after the server listened: more than a probe interval (at most 2 s) and a spawn`);
  const probes = serverEvents(dir).filter((e) => e.kind === 'req');
  assert.ok(probes.length >= 1, 'the probe asked the server');
  assert.ok(probes.every((e) => e.path === '/ready' && e.status === 200), `only /ready was asked: ${JSON.stringify(probes)}`);
  // Readiness probes stop once it passed: no request after the one that made it Running (liveness is not configured).
  const web = await healthStatus(daemon, 'web');
  assert.equal(web.state, 'Running');
  assert.equal(web.health.probeError, null);
  assert.equal(serverEvents(dir).filter((e) => e.kind === 'req').length, probes.length, 'no probe after it passed');
});

test('ready: tcp:// — refused connections show in status while it waits; the dependent starts after the port accepts', async () => {
  const dir = tempDir();
  const [port] = await freePorts(1);
  const appStarted = path.join(dir, 'app.started');
  const go = path.join(dir, 'listen-now');
  daemon = await startDaemon(
    {
      db: `exec: ${serverExec('tcp', port ?? 0, go, dir)}\nready: tcp://127.0.0.1:${port}\n`,
      app: dependent(appStarted, 'db'),
    },
    [],
    { dir },
  );
  // While nothing listens: Spawned, the probe's error in status, the dependent not started.
  const waiting = await waitFor(async () => {
    const s = await healthStatus(daemon!, 'db');
    return s.health.probeError !== null ? s : null;
  }, 10_000, 'the probe error of db');
  assert.equal(listenedAt(dir), null, 'the server listens only once the test says so');
  assert.equal(waiting.state, 'Spawned');
  assert.equal(waiting.health.probeError, 'connection refused');
  assert.match((await daemon.cli(['status', 'db'])).stdout, /^probe: +connection refused$/m);
  assert.equal(fs.existsSync(appStarted), false, 'the dependent waits');
  assert.equal((await healthStatus(daemon, 'app')).pid, 0, 'the dependent is not started');

  fs.writeFileSync(go, '');
  await waitState(daemon, 'app', 'Running');
  const listen = await listenedBy(dir);
  const appAt = await timeWritten(appStarted, 'app');
  assert.ok(appAt >= listen, `app started at ${appAt}, before the port accepted at ${listen}`);
  // The probe's next try comes within its interval (at most 2 s), then the dependent's spawn.
  assert.ok(appAt - listen < 2500, `app started ${(appAt - listen).toFixed(1)} ms after the port accepted`);
  const db = await healthStatus(daemon, 'db');
  assert.equal(db.state, 'Running');
  assert.equal(db.health.probeError, null, 'a passing probe clears the error');
  assert.doesNotMatch((await daemon.cli(['status', 'db'])).stdout, /^probe:/m);
});

test('live: http:// — no restart while it answers 200; after live_failures answers of 500 it is restarted through its stop signal', async () => {
  const dir = tempDir();
  const [port] = await freePorts(1);
  daemon = await startDaemon(
    {
      web: [
        `exec: ${serverExec('http', port ?? 0, 0, dir)}`,
        `ready: http://127.0.0.1:${port}/ready`,
        `live: http://127.0.0.1:${port}/health`,
        'live_interval: 0.2',
        'live_failures: 3',
        '',
      ].join('\n'),
    },
    ['--metrics', '127.0.0.1:0'],
    { dir },
  );
  const first = await waitState(daemon, 'web', 'Running');
  const healthOf = (pid: number): { status: number | null; at: number }[] =>
    serverEvents(dir)
      .filter((e) => e.kind === 'req' && e.pid === pid && e.path === '/health')
      .map((e) => ({ status: e.status, at: e.at }));

  // Negative control: five passing liveness probes (about a second) change nothing.
  await waitFor(() => healthOf(first.pid).length >= 5, 10_000, 'five liveness probes');
  const calm = await healthStatus(daemon, 'web');
  assert.equal(calm.pid, first.pid);
  assert.equal(calm.restarts, 0);
  assert.deepEqual(calm.health, { probeError: null, liveFailures: 0, liveRestarts: 0, statusText: null });
  const passing = healthOf(first.pid);
  for (let i = 1; i < passing.length; i++) {
    const gap = (passing[i]?.at ?? 0) - (passing[i - 1]?.at ?? 0);
    assert.ok(gap >= 190, `liveness probes ${i - 1} and ${i} are live_interval apart: ${gap} ms`);
  }

  // This run alone answers 500 from now on (the server checks sick.<its pid>); the next run is healthy.
  const sickAt = Date.now();
  fs.writeFileSync(path.join(dir, `sick.${first.pid}`), '');
  const second = await waitFor(async () => {
    const s = await healthStatus(daemon!, 'web');
    return s.state === 'Running' && s.pid !== first.pid ? s : null;
  }, 15_000, 'web restarted with a new pid');
  const restartedAfter = Date.now() - sickAt;
  assert.ok(restartedAfter >= 400, `three failures live_interval apart take at least 0.4 s, not ${restartedAfter} ms`);
  assert.equal(isAlive(first.pid), false, 'the old process is gone');
  const failures = healthOf(first.pid).filter((r) => r.status === 500);
  assert.equal(failures.length, 3, `exactly live_failures failing probes before the restart: ${JSON.stringify(healthOf(first.pid))}`);
  const term = serverEvents(dir).find((e) => e.kind === 'term' && e.pid === first.pid);
  assert.ok(term, 'the old process got SIGTERM, its stop signal');
  assert.ok(term.at >= (failures[2]?.at ?? Infinity), 'the stop signal came after the third failure');

  assert.equal(second.restarts, 1);
  assert.equal(second.health.liveRestarts, 1);
  assert.equal(second.health.liveFailures, 0, 'the new run starts with no failures');
  assert.deepEqual(second.exit, { code: 0, signal: null }, 'the old run exited by its own SIGTERM handler');
  const text = (await daemon.cli(['status', 'web'])).stdout;
  assert.match(text, /^liveness restarts: 1$/m);
  assert.match(text, /^restarts: 1$/m);

  const log = daemon.output();
  for (const n of [1, 2, 3]) assert.match(log, new RegExp(`liveness probe failed service=web failures=${n} of=3 error="HTTP 500"`), `failure ${n} logged:\n${log}`);
  assert.match(log, /liveness probe failed; restarting the service service=web failures=3 error="HTTP 500"/);
  assert.equal([...log.matchAll(/restarting the service service=web/g)].length, 1, 'one restart');

  const metrics = await (await fetch(`http://127.0.0.1:${metricsPort(daemon)}/metrics`)).text();
  assert.equal(seriesValue(metrics, 'zinit_service_liveness_restarts_total', 'web'), 1, metrics);
  assert.equal(seriesValue(metrics, 'zinit_service_liveness_failures', 'web'), 0);
  assert.equal(seriesValue(metrics, 'zinit_service_restarts', 'web'), 1);
});

/** The `sleep <marker>` processes alive now. */
function sleepers(marker: string): ProcIdentity[] {
  return processList()
    .filter((p) => p.cmdline === `sleep ${marker}` && p.state !== 'Z')
    .map((p) => ({ pid: p.pid, startTime: p.startTime }));
}

/** How long ago a process started, in ms, from its start time in /proc (clock ticks since boot, 100 per second). */
function ageMs(id: ProcIdentity): number {
  const uptime = Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  return uptime * 1000 - Number(id.startTime) * 10;
}

test('a hung ready: command is killed at test_timeout, each run before the next: the service stays Spawned with the timeout in status', async () => {
  const marker = `${4000 + Math.floor(Math.random() * 1000)}.${process.pid}`;
  daemon = await startDaemon({
    hung: `exec: sleep 1000\nready: sh -c 'sleep ${marker}'\ntest_timeout: 1\n`,
    app: 'exec: sleep 1000\nafter: [hung]\n',
  });
  const runs: { id: ProcIdentity; lifetimeMs: number }[] = [];
  let current: { id: ProcIdentity; seenAt: number; ageAtSeen: number } | null = null;
  let most = 0;
  // Follow the probe's sleep through three runs: each is gone about test_timeout after it started, never two at once.
  await waitFor(() => {
    const now = sleepers(marker);
    most = Math.max(most, now.length);
    if (current !== null && fateOf(current.id) !== 'alive') {
      runs.push({ id: current.id, lifetimeMs: Date.now() - current.seenAt + current.ageAtSeen });
      current = null;
    }
    const fresh = now.find((id) => !runs.some((r) => r.id.pid === id.pid && r.id.startTime === id.startTime));
    if (current === null && fresh !== undefined) current = { id: fresh, seenAt: Date.now(), ageAtSeen: ageMs(fresh) };
    return runs.length >= 3;
  }, 15_000, 'three probe runs to end');
  assert.equal(most, 1, 'one probe run at a time');
  for (const r of runs) {
    assert.ok(r.lifetimeMs >= 950, `a probe run was killed before test_timeout: ${r.lifetimeMs.toFixed(0)} ms`);
    assert.ok(r.lifetimeMs <= 2500, `a probe run lived ${r.lifetimeMs.toFixed(0)} ms, well past test_timeout`);
  }
  // The last run was seen dying (a zombie) just now: its reaping is waited for, bounded; a zombie left behind fails.
  for (const r of runs) await waitFor(() => fateOf(r.id) === 'gone', 5_000, `probe pid ${r.id.pid} reaped, not left as a zombie`);
  const s = await healthStatus(daemon, 'hung');
  assert.equal(s.state, 'Spawned');
  assert.equal(isAlive(s.pid), true);
  assert.equal(s.health.probeError, 'no answer within 1 s (killed)');
  assert.match((await daemon.cli(['status', 'hung'])).stdout, /^probe: +no answer within 1 s \(killed\)$/m);
  const app = await healthStatus(daemon, 'app');
  assert.equal(app.pid, 0, 'the dependent was never started');
  assert.notEqual(app.state, 'Running');

  const r = await daemon.cli(['shutdown']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await daemon.exited(), 0);
  assert.deepEqual(sleepers(marker), [], 'no probe process outlives the manager');
});

test('a hung live: command counts as a failure at test_timeout and, live_failures times in a row, restarts the service', async () => {
  const marker = `${5000 + Math.floor(Math.random() * 1000)}.${process.pid}`;
  daemon = await startDaemon({
    stuck: `exec: sleep 1000\nlive: sh -c 'sleep ${marker}'\ntest_timeout: 1\nlive_interval: 0.2\nlive_failures: 2\n`,
  });
  const first = await waitState(daemon, 'stuck', 'Running');
  const failing = await waitFor(async () => {
    const s = await healthStatus(daemon!, 'stuck');
    return s.health.liveFailures === 1 ? s : null;
  }, 10_000, 'the first liveness failure');
  assert.equal(failing.health.probeError, 'no answer within 1 s (killed)');
  assert.equal(failing.pid, first.pid);
  assert.equal(failing.state, 'Running', 'one failure of two is not yet a restart');
  const second = await waitFor(async () => {
    const s = await healthStatus(daemon!, 'stuck');
    return s.pid !== first.pid && s.state === 'Running' ? s : null;
  }, 10_000, 'the restart after two failures');
  assert.equal(second.health.liveRestarts, 1);
  assert.equal(isAlive(first.pid), false);
  assert.match(daemon.output(), /liveness probe failed; restarting the service service=stuck failures=2 error="no answer within 1 s \(killed\)"/);
  assert.ok(sleepers(marker).length <= 1, 'the probes of the old run did not linger');
});

test('/healthz/ready is 503 while a liveness probe fails and 200 again once it passes; /healthz/live is 200 throughout', async () => {
  const dir = tempDir();
  const [port] = await freePorts(1);
  daemon = await startDaemon(
    {
      // So many failures allowed that it is never restarted here: readiness follows the probe alone.
      flappy: [`exec: ${serverExec('http', port ?? 0, 0, dir)}`, `ready: http://127.0.0.1:${port}/ready`, `live: http://127.0.0.1:${port}/health`, 'live_interval: 0.2', 'live_failures: 1000', ''].join('\n'),
      steady: 'exec: sleep 1000\n',
    },
    ['--metrics', '127.0.0.1:0'],
    { dir },
  );
  const base = `http://127.0.0.1:${metricsPort(daemon)}`;
  const get = async (p: string): Promise<{ status: number; body: { ready: boolean; notReady: string[]; probe: string } }> => {
    const res = await fetch(`${base}${p}`);
    return { status: res.status, body: (await res.json()) as { ready: boolean; notReady: string[]; probe: string } };
  };
  await waitState(daemon, 'flappy', 'Running');
  await waitState(daemon, 'steady', 'Running');
  const ok = await waitFor(async () => {
    const r = await get('/healthz/ready');
    return r.status === 200 ? r : null;
  }, 10_000, '/healthz/ready 200 once both run');
  assert.deepEqual([ok.body.ready, ok.body.notReady, ok.body.probe], [true, [], 'ready']);

  fs.writeFileSync(path.join(dir, 'sick'), '');
  const bad = await waitFor(async () => {
    const r = await get('/healthz/ready');
    return r.status === 503 ? r : null;
  }, 10_000, '/healthz/ready 503 while flappy fails its liveness probe');
  assert.deepEqual([bad.body.ready, bad.body.notReady], [false, ['flappy']]);
  assert.equal((await get('/healthz')).status, 503, '/healthz is the readiness probe');
  for (const p of ['/healthz/live', '/healthz?probe=live']) {
    const live = await get(p);
    assert.equal(live.status, 200, `${p} while a service fails its liveness probe`);
    assert.equal(live.body.probe, 'live');
  }
  const sick = await healthStatus(daemon, 'flappy');
  assert.equal(sick.state, 'Running', 'a failing liveness probe leaves the state as it is');
  assert.ok(sick.health.liveFailures >= 1);
  assert.equal(sick.health.probeError, 'HTTP 500');
  const metrics = await (await fetch(`${base}/metrics`)).text();
  assert.ok((seriesValue(metrics, 'zinit_service_liveness_failures', 'flappy') ?? 0) >= 1, metrics);

  fs.rmSync(path.join(dir, 'sick'));
  await waitFor(async () => (await get('/healthz/ready')).status === 200, 10_000, '/healthz/ready 200 once the probe passes again');
  assert.equal((await get('/healthz/live')).status, 200);
  const well = await healthStatus(daemon, 'flappy');
  assert.deepEqual([well.pid, well.restarts, well.health.liveFailures, well.health.probeError], [sick.pid, 0, 0, null]);
  assert.match(daemon.output(), /liveness probe passes again service=flappy/);
});
