// Readiness by ready:/notify, liveness and its restarts, on the fake clock with fake probes and notify sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceManager } from '../../../src/supervisor/manager.js';
import type { NetProbe, NetProbePort, NotifyChannel, NotifyPort, ProbeOutcome, ProbeRun } from '../../../src/supervisor/ports.js';
import type { ServiceConfig } from '../../../src/config/types.js';
import { health } from '../../../src/ipc/metrics-server.js';
import { FakeClock, flush } from '../../helpers/fake-clock.js';
import { FakeOs } from '../../helpers/fake-os.js';
import { quietLogger, svc } from '../../helpers/service-config.js';

interface NetRun {
  readonly probe: NetProbe;
  readonly timeoutMs: number;
  settled: boolean;
  cancelled: boolean;
  settle(o: ProbeOutcome): void;
}

/** Network probes that answer as `answer` says, or hang until the test settles them. */
class FakeNet implements NetProbePort {
  readonly runs: NetRun[] = [];
  answer: (probe: NetProbe) => ProbeOutcome | 'hang' = () => ({ ok: true, error: null });

  run(probe: NetProbe, timeoutMs: number): ProbeRun {
    let resolve: (o: ProbeOutcome) => void = () => undefined;
    const result = new Promise<ProbeOutcome>((r) => (resolve = r));
    const rec: NetRun = {
      probe,
      timeoutMs,
      settled: false,
      cancelled: false,
      settle: (o) => {
        if (rec.settled) return;
        rec.settled = true;
        resolve(o);
      },
    };
    this.runs.push(rec);
    const a = this.answer(probe);
    if (a !== 'hang') queueMicrotask(() => rec.settle(a));
    return {
      result,
      cancel: () => {
        rec.cancelled = true;
        rec.settle({ ok: false, error: 'cancelled' });
      },
    };
  }

  /** Runs not yet settled. */
  get open(): number {
    return this.runs.filter((r) => !r.settled).length;
  }
}

interface Socket {
  readonly service: string;
  closed: boolean;
  send(fields: Record<string, string>): void;
}

class FakeNotify implements NotifyPort {
  readonly sockets: Socket[] = [];
  failWith: Error | null = null;

  open(service: string, onMessage: (fields: ReadonlyMap<string, string>) => void): NotifyChannel {
    if (this.failWith) throw this.failWith;
    const s: Socket = {
      service,
      closed: false,
      send: (fields) => {
        if (!s.closed) onMessage(new Map(Object.entries(fields)));
      },
    };
    this.sockets.push(s);
    return {
      env: { NOTIFY_SOCKET: `@test/${this.sockets.length}` },
      close: () => {
        s.closed = true;
      },
    };
  }
}

const http = (path: string): NetProbe => ({ kind: 'http', url: `http://127.0.0.1:8080${path}`, host: '127.0.0.1', port: 8080, path });

function setup(configs: ServiceConfig[], opts: { holdPostStop?: boolean } = {}) {
  const clock = new FakeClock();
  const os = new FakeOs();
  const net = new FakeNet();
  const notify = new FakeNotify();
  const postStops: string[] = [];
  /** Ends the post_stop runs held so far (holdPostStop). */
  const held: (() => void)[] = [];
  const releasePostStop = (): void => held.splice(0).forEach((f) => f());
  const critical: [string, number][] = [];
  const m = new ServiceManager({
    proc: os,
    table: os,
    clock,
    logger: quietLogger,
    env: () => ({}),
    output: () => null,
    childEvents: os,
    netProbe: net,
    notify,
    postStopHook: (c) => {
      postStops.push(c.name);
      return opts.holdPostStop ? new Promise<void>((r) => held.push(r)) : Promise.resolve();
    },
    onCriticalFailure: (name, code) => void critical.push([name, code]),
  });
  m.load(new Map(configs.map((c) => [c.name, c])), []);
  return { clock, os, net, notify, m, postStops, releasePostStop, critical };
}

test('ready: an http probe gates the dependent like test, on the same schedule, with test_timeout as its timeout', async () => {
  const { clock, os, net, m } = setup([svc('api', { ready: http('/ready'), testTimeoutMs: 1500 }), svc('web', { after: ['api'] })]);
  net.answer = () => ({ ok: false, error: 'connection refused' });
  m.startAll();
  await clock.advance(0);
  assert.equal(net.runs.length, 1, 'the first probe runs at once');
  assert.equal(net.runs[0]?.timeoutMs, 1500);
  assert.deepEqual(net.runs[0]?.probe, http('/ready'));
  assert.equal(m.status('api').state, 'Spawned');
  assert.equal(m.status('api').health.probeError, 'connection refused', 'why it is not ready shows in its status');
  assert.equal(os.mains('web').length, 0, 'the dependent waits');
  await clock.advance(49);
  assert.equal(net.runs.length, 1);
  await clock.advance(1);
  assert.equal(net.runs.length, 2, 'the second probe comes 50 ms later, as test does');
  net.answer = () => ({ ok: true, error: null });
  await clock.advance(63);
  assert.equal(net.runs.length, 3);
  assert.equal(m.status('api').state, 'Running');
  assert.equal(m.status('api').health.probeError, null);
  assert.equal(os.mains('web').length, 1, 'the dependent starts once the probe passes');
});

test('live: failing live_failures times in a row restarts the service through its stop, counted and recorded with the last error', async () => {
  const { clock, os, net, m, postStops } = setup([svc('api', { live: http('/health'), liveIntervalMs: 10_000, liveFailures: 3, postStop: 'cleanup', postStopArgv: ['cleanup'] })]);
  m.startAll();
  await flush();
  const first = os.mains('api')[0];
  assert.ok(first);
  assert.equal(m.status('api').state, 'Running');
  assert.equal(net.runs.length, 0, 'liveness waits live_interval after Running');
  await clock.advance(10_000);
  assert.equal(net.runs.length, 1);
  net.answer = () => ({ ok: false, error: 'HTTP 500' });
  await clock.advance(10_000);
  assert.equal(m.status('api').health.liveFailures, 1);
  await clock.advance(10_000);
  assert.equal(m.status('api').health.liveFailures, 2);
  assert.equal(os.mains('api').length, 1, 'two failures of three: nothing happens yet');
  assert.equal(health(m).ready, false, 'a failing liveness probe makes the manager not ready');
  assert.deepEqual(health(m).notReady, ['api']);
  await clock.advance(10_000);
  await flush();
  assert.ok(os.signals.some((s) => s.pid === first.pid && s.group && s.signal === 'SIGTERM'), 'the stop signal goes to its group, as a stop does');
  assert.equal(first.exited, true);
  assert.deepEqual(postStops, ['api'], 'post_stop runs as after any stop');
  assert.equal(m.status('api').state, 'Error', 'the stopped run is a failure');
  assert.equal(m.status('api').target, 'Up', 'the target stays Up through the restart');
  assert.equal(health(m).ready, false);
  assert.equal(os.mains('api').length, 1, 'the start again waits for restart_delay, as any restart');
  await clock.advance(100);
  const second = os.mains('api')[1];
  assert.ok(second, 'it is started again');
  const s = m.status('api');
  assert.equal(s.state, 'Running');
  assert.equal(s.restarts, 1);
  assert.equal(s.health.liveRestarts, 1);
  assert.equal(s.health.liveFailures, 0, 'the new run starts with a clean count');
  assert.equal(s.exit?.signal, 'SIGTERM', 'the exit recorded is the stopped run');
  assert.equal(s.target, 'Up');
});

test('live: a pass between failures resets the count; a hung probe is never overlapped by the next', async () => {
  const { clock, os, net, m } = setup([svc('api', { live: http('/h'), liveIntervalMs: 1000, liveFailures: 2 })]);
  m.startAll();
  await flush();
  const answers: (ProbeOutcome | 'hang')[] = [{ ok: false, error: 'HTTP 503' }, { ok: true, error: null }, { ok: false, error: 'HTTP 503' }, 'hang'];
  net.answer = () => answers.shift() ?? { ok: true, error: null };
  await clock.advance(3000);
  assert.equal(net.runs.length, 3);
  assert.equal(m.status('api').health.liveFailures, 1, 'fail, pass, fail: one in a row');
  await clock.advance(1000);
  assert.equal(net.runs.length, 4);
  await clock.advance(10_000);
  assert.equal(net.runs.length, 4, 'while a run is out no other starts');
  assert.equal(os.mains('api').length, 1);
  net.runs[3]?.settle({ ok: false, error: 'no answer within 10 s' });
  await clock.advance(100);
  assert.equal(os.mains('api').length, 2, 'the second failure in a row restarts it');
  assert.equal(m.status('api').health.probeError, null, 'a new run has no probe error yet');
});

test('live: a stop by request while the liveness restart stops the service keeps it down; the probe is cancelled by a stop', async () => {
  const { clock, os, net, m } = setup([svc('api', { live: http('/h'), liveIntervalMs: 1000, liveFailures: 1, shutdownTimeoutMs: 5000 })]);
  os.diesOn.delete('SIGTERM');
  m.startAll();
  await flush();
  net.answer = () => ({ ok: false, error: 'HTTP 500' });
  await clock.advance(1000);
  const first = os.mains('api')[0];
  assert.ok(first && !first.exited, 'the stop signal is ignored: the liveness stop waits for its deadline');
  const stopped = m.stop('api');
  await clock.advance(5000);
  await stopped;
  await flush();
  assert.equal(first.exited, true);
  assert.equal(os.mains('api').length, 1, 'not started again: the stop by request came after');
  assert.equal(m.status('api').target, 'Down');

  const { clock: c2, net: n2, m: m2 } = setup([svc('b', { live: http('/h'), liveIntervalMs: 1000 })]);
  m2.startAll();
  await flush();
  n2.answer = () => 'hang';
  await c2.advance(1000);
  assert.equal(n2.open, 1);
  await m2.stop('b');
  assert.equal(n2.runs[0]?.cancelled, true, 'a probe out at a stop is cancelled');
});

test('notify: fd: the main process gets NOTIFY_FD=3 and the pipe; Running only once a newline comes', async () => {
  const { os, m } = setup([svc('db', { notify: 'fd' }), svc('app', { after: ['db'] })]);
  m.startAll();
  await flush();
  const p = os.mains('db')[0];
  assert.ok(p);
  assert.equal(p.req.env.NOTIFY_FD, '3');
  const fd = p.req.notifyFd;
  assert.ok(fd, 'the spawn asks for fd 3');
  assert.equal(m.status('db').state, 'Spawned');
  fd('starting');
  await flush();
  assert.equal(m.status('db').state, 'Spawned', 'text without a newline is not readiness');
  assert.equal(os.mains('app').length, 0);
  fd('up\n');
  await flush();
  assert.equal(m.status('db').state, 'Running');
  assert.equal(os.mains('app').length, 1);
  assert.equal(os.spawned.filter((x) => x.req.role === 'test').length, 0, 'no probe runs');
});

test('notify: systemd: NOTIFY_SOCKET per run, READY=1 makes it Running, STATUS= shows; a closed run is not heard', async () => {
  const { clock, os, notify, m } = setup([svc('pg', { notify: 'systemd', restartDelayMs: 100 })]);
  m.startAll();
  await flush();
  const p = os.mains('pg')[0];
  const sock = notify.sockets[0];
  assert.ok(p && sock);
  assert.equal(sock.service, 'pg');
  assert.equal(p.req.env.NOTIFY_SOCKET, '@test/1');
  sock.send({ STATUS: 'recovering' });
  await flush();
  assert.equal(m.status('pg').state, 'Spawned');
  assert.equal(m.status('pg').health.statusText, 'recovering');
  sock.send({ STATUS: `\u001b]0;owned\u0007${'x'.repeat(2000)}` });
  await flush();
  const shown = m.status('pg').health.statusText ?? '';
  assert.equal(shown.length, 512, 'STATUS= is kept to MAX_STATUS_TEXT characters');
  assert.ok(shown.startsWith('?]0;owned?x'), `control characters never reach a terminal: ${JSON.stringify(shown.slice(0, 20))}`);
  sock.send({ READY: '1', STATUS: 'ready to accept connections' });
  await flush();
  assert.equal(m.status('pg').state, 'Running');
  assert.equal(m.status('pg').health.statusText, 'ready to accept connections');
  p.exit({ code: 1, signal: null });
  await flush();
  assert.equal(sock.closed, true, 'the socket of a run closes at its exit');
  await clock.advance(100);
  const second = notify.sockets[1];
  assert.ok(second, 'a respawn gets a socket of its own');
  assert.equal(m.status('pg').state, 'Spawned');
  assert.equal(m.status('pg').health.statusText, null, 'the old STATUS= is gone with its run');
});

test('notify: systemd without a socket: the service runs but is never Running, and says why', async () => {
  const { os, notify, m } = setup([svc('pg', { notify: 'systemd' })]);
  notify.failWith = new Error('socket: EMFILE');
  m.startAll();
  await flush();
  assert.equal(os.mains('pg').length, 1);
  assert.equal(m.status('pg').state, 'TestFailure');
  assert.match(m.status('pg').health.probeError ?? '', /cannot open a notification socket: socket: EMFILE/);
});

test('a command liveness probe runs as a process of the service and is killed at test_timeout', async () => {
  const { clock, os, m } = setup([svc('w', { live: { kind: 'command', line: 'check', argv: ['check'] }, liveIntervalMs: 1000, liveFailures: 1, testTimeoutMs: 2000 })]);
  os.probeResult.set('w', 'hang');
  m.startAll();
  await flush();
  await clock.advance(1000);
  const probe = os.spawned.find((x) => x.req.role === 'test');
  assert.ok(probe);
  assert.deepEqual(probe.req.argv, ['check']);
  await clock.advance(1999);
  assert.equal(probe.exited, false);
  await clock.advance(1);
  assert.equal(probe.exited, true);
  assert.ok(os.signals.some((s) => s.pid === probe.pid && s.signal === 'SIGKILL'));
  await clock.advance(100);
  assert.equal(m.status('w').health.liveRestarts, 1);
  assert.match(m.status('w').exit?.signal ?? '', /SIGTERM/);
});

test('health(): ready when every long-running service meant to run is Running and live; a stopped one or a finished oneshot does not count', async () => {
  const { clock, os, m } = setup([svc('a'), svc('b', { testArgv: ['probe'], testIntervalMs: 1000 }), svc('job', { oneshot: true }), svc('off')]);
  os.probeResult.set('b', 1);
  m.startAll();
  await flush();
  await m.stop('off');
  os.live('job')?.exit({ code: 0, signal: null });
  await clock.advance(0);
  assert.deepEqual({ ready: health(m).ready, notReady: health(m).notReady }, { ready: false, notReady: ['b'] }, 'b is still Spawned');
  os.probeResult.set('b', 0);
  await clock.advance(1000);
  assert.equal(m.status('b').state, 'Running');
  assert.deepEqual({ ready: health(m).ready, notReady: health(m).notReady }, { ready: true, notReady: [] });
  void m.shutdown();
  assert.equal(health(m).ready, false, 'a manager shutting down is not ready');
});

/** A service whose liveness fails at once and whose main process ignores the stop signal, so the liveness stop waits for its deadline. */
async function unhealthyAndStopping(over: Partial<ServiceConfig> = {}) {
  const env = setup([svc('api', { live: http('/h'), liveIntervalMs: 1000, liveFailures: 1, shutdownTimeoutMs: 5000, postStop: 'cleanup', postStopArgv: ['cleanup'], ...over })]);
  env.os.diesOn.delete('SIGTERM');
  env.m.startAll();
  await flush();
  env.net.answer = () => ({ ok: false, error: 'HTTP 500' });
  await env.clock.advance(1000);
  const first = env.os.mains('api')[0];
  assert.ok(first && !first.exited && env.m.status('api').target === 'Up');
  return { ...env, first };
}

test('live: /healthz is not ready during the liveness stop; a start by request then starts it once, post_stop once', async () => {
  const { clock, os, m, postStops, first } = await unhealthyAndStopping();
  assert.equal(health(m).ready, false, 'still Running but being restarted for failing: not ready');
  m.start('api');
  await clock.advance(5000);
  await flush();
  assert.equal(first.exited, true);
  await clock.advance(100);
  assert.equal(os.mains('api').length, 2, 'one new run, not two');
  assert.deepEqual(postStops, ['api']);
  assert.equal(m.status('api').restarts, 1);
});

test('live: a stop by request during the liveness stop runs post_stop once and keeps the service down', async () => {
  const { clock, os, m, postStops, first } = await unhealthyAndStopping();
  const stopped = m.stop('api');
  await clock.advance(5000);
  await stopped;
  await clock.advance(1000);
  assert.equal(first.exited, true);
  assert.deepEqual(postStops, ['api'], 'both stops found the run; its post_stop ran once');
  assert.equal(os.mains('api').length, 1);
  assert.equal(m.status('api').health.liveRestarts, 0, 'no restart happened');
});

test('live: a reload that changes the service during the liveness stop brings it back with the new config', async () => {
  const { clock, os, m, first } = await unhealthyAndStopping();
  const changed = svc('api', { live: http('/healthz'), liveIntervalMs: 1000, liveFailures: 5, shutdownTimeoutMs: 5000 });
  const reloading = m.reload(new Map([['api', changed]]), []);
  await clock.advance(5000);
  const result = await reloading;
  await clock.advance(100);
  assert.deepEqual(result.changed, ['api']);
  assert.equal(first.exited, true);
  assert.equal(os.mains('api').length, 2, 'started again, once');
  assert.equal(m.status('api').target, 'Up');
  assert.equal(m.runner('api').config.liveFailures, 5);
});

test('live: a shutdown during the liveness stop: no restart, post_stop once even after the sweep', async () => {
  const { clock, os, m, postStops, first } = await unhealthyAndStopping();
  const down = m.shutdown();
  await clock.advance(5000);
  const report = await down;
  await m.postStopAfterSweep(report.services);
  await clock.advance(1000);
  assert.equal(first.exited, true);
  assert.equal(os.mains('api').length, 1);
  assert.deepEqual(postStops, ['api']);
});

test('live: liveness restarts back off and count toward max_restarts, whatever restart: says', async () => {
  const { clock, os, net, m } = setup([svc('api', { live: http('/h'), liveIntervalMs: 100, liveFailures: 1, restart: 'never', maxRestarts: 2, restartDelayMs: 1000, restartMaxDelayMs: 60_000 })]);
  m.startAll();
  await flush();
  net.answer = () => ({ ok: false, error: 'HTTP 500' });
  await clock.advance(100);
  assert.equal(os.mains('api').length, 1);
  await clock.advance(999);
  assert.equal(os.mains('api').length, 1, 'the first restart waits restart_delay');
  await clock.advance(1);
  assert.equal(os.mains('api').length, 2, 'restart: never does not stop a liveness restart');
  await clock.advance(100 + 1999);
  assert.equal(os.mains('api').length, 2, 'the second waits twice as long');
  await clock.advance(1);
  assert.equal(os.mains('api').length, 3);
  await clock.advance(100);
  await clock.advance(60_000);
  assert.equal(os.mains('api').length, 3, 'max_restarts: 2 reached');
  assert.equal(m.status('api').state, 'Failure');
  assert.equal(m.status('api').health.liveRestarts, 2);
});

test('live: the liveness restart is one stop until its post_stop ends: nothing spawns or blocks it midway, a stop by request waits for that post_stop', async () => {
  const { clock, os, net, m, postStops, releasePostStop } = setup([svc('db'), svc('api', { after: ['db'], live: http('/h'), liveIntervalMs: 1000, liveFailures: 1, postStop: 'c', postStopArgv: ['c'] })], { holdPostStop: true });
  m.startAll();
  await flush();
  net.answer = () => ({ ok: false, error: 'HTTP 500' });
  await clock.advance(1000);
  assert.deepEqual(postStops, ['api'], 'stopped, its post_stop running');
  m.start('api');
  os.live('db')?.exit({ code: 1, signal: null });
  await clock.advance(50);
  assert.equal(os.mains('api').length, 1, 'no new run while its post_stop runs');
  assert.equal(m.status('api').state, 'Error', 'not blocked midway either');
  let stopped = false;
  const stopping = m.stop('api').then(() => (stopped = true));
  await flush();
  assert.equal(stopped, false, 'a stop by request waits for the post_stop under way');
  releasePostStop();
  await stopping;
  await clock.advance(1000);
  assert.deepEqual(postStops, ['api'], 'once');
  assert.equal(os.mains('api').length, 1, 'the stop by request won');
});

test('live: a give-up of a liveness restart ends in Failure and reports a critical service, never an illegal transition', async () => {
  const { clock, os, net, m, critical } = setup([svc('api', { live: http('/h'), liveIntervalMs: 1000, liveFailures: 1, maxRestarts: 1, critical: true })]);
  m.startAll();
  await flush();
  net.answer = () => ({ ok: false, error: 'HTTP 500' });
  await clock.advance(1000 + 100 + 1000);
  assert.equal(os.mains('api').length, 2);
  await clock.advance(5000);
  assert.equal(m.status('api').state, 'Failure');
  assert.deepEqual(critical, [['api', 143]]);
});

test('live: with the default restart settings and a slow stop, a never-healthy service still backs off and reaches max_restarts', async () => {
  const { clock, os, net, m } = setup([svc('api', { live: http('/h'), liveIntervalMs: 10_000, maxRestarts: 2 })]);
  os.diesOn.delete('SIGTERM');
  m.startAll();
  await flush();
  net.answer = () => ({ ok: false, error: 'HTTP 500' });
  await clock.advance(10 * 60_000);
  assert.equal(os.mains('api').length, 3, 'two restarts, then no more');
  assert.equal(m.status('api').state, 'Failure');
  assert.equal(m.status('api').restarts, 2);
  assert.equal(m.status('api').health.liveRestarts, 2);
});

test('live: a long healthy run resets the backoff: a failure after an hour restarts at restart_delay again', async () => {
  const { clock, os, net, m } = setup([svc('api', { live: http('/h'), liveIntervalMs: 1000, liveFailures: 1, maxRestarts: 1 })]);
  m.startAll();
  await flush();
  net.answer = () => ({ ok: false, error: 'HTTP 500' });
  await clock.advance(1000 + 100);
  assert.equal(os.mains('api').length, 2, 'first liveness restart');
  net.answer = () => ({ ok: true, error: null });
  await clock.advance(3600_000);
  net.answer = () => ({ ok: false, error: 'HTTP 500' });
  await clock.advance(1000 + 100);
  assert.equal(os.mains('api').length, 3, 'restarted again: an hour of passing probes is a healthy run');
  assert.equal(m.status('api').state, 'Running');
});

test('live: a stop during the backoff of a liveness restart counts it nowhere: liveRestarts stays within restarts', async () => {
  const { clock, net, m } = setup([svc('api', { live: http('/h'), liveIntervalMs: 1000, liveFailures: 1, restartDelayMs: 5000 })]);
  m.startAll();
  await flush();
  net.answer = () => ({ ok: false, error: 'HTTP 500' });
  await clock.advance(1000 + 10);
  assert.equal(m.status('api').state, 'Error');
  await m.stop('api');
  await clock.advance(10_000);
  assert.deepEqual([m.status('api').restarts, m.status('api').health.liveRestarts], [0, 0]);
});

test('a start by request while a stop by request waits for the exit: the exit is the stop\'s, the new run starts, no crash is counted', async () => {
  const { clock, os, m, critical } = setup([svc('api', { restart: 'never', critical: true, shutdownTimeoutMs: 5000 })]);
  os.diesOn.delete('SIGTERM');
  m.startAll();
  await flush();
  const first = os.mains('api')[0];
  assert.ok(first);
  const stopping = m.stop('api');
  m.start('api');
  await clock.advance(5000);
  await stopping;
  await flush();
  assert.equal(first.exited, true);
  assert.deepEqual(critical, [], 'not a failure');
  assert.equal(os.mains('api').length, 2, 'the start by request starts a new run once the stop is over');
  assert.equal(m.status('api').state, 'Running');
});

test('a start by hand after Failure gives the service its whole restart budget again', async () => {
  const { clock, os, m } = setup([svc('api', { maxRestarts: 1, restartDelayMs: 10 })]);
  m.startAll();
  await flush();
  os.live('api')?.exit({ code: 1, signal: null });
  await clock.advance(10);
  os.live('api')?.exit({ code: 1, signal: null });
  await clock.advance(10);
  assert.equal(m.status('api').state, 'Failure');
  m.start('api');
  await flush();
  os.live('api')?.exit({ code: 1, signal: null });
  await clock.advance(10);
  assert.equal(os.mains('api').length, 4, 'the crash after the start by hand is respawned');
});
