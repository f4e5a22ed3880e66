// One service's runner on the fake clock: spawn, readiness probe, exit and respawn with backoff, give-up, stop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceRunner } from '../../../src/supervisor/service-runner.js';
import type { State } from '../../../src/supervisor/state.js';
import type { ServiceConfig } from '../../../src/config/types.js';
import { FakeClock, flush } from '../../helpers/fake-clock.js';
import { FakeOs, type FakeProcess } from '../../helpers/fake-os.js';
import { quietLogger, svc } from '../../helpers/service-config.js';

function setup(config: ServiceConfig) {
  const clock = new FakeClock();
  const os = new FakeOs();
  const states: State[] = [];
  const r = new ServiceRunner(config, {
    proc: os,
    table: os,
    clock,
    logger: quietLogger,
    env: () => ({ ZINIT_TEST: '1' }),
    output: () => null,
    // Changes of state only: a change of what the probe said comes through onChange as well.
    onChange: (x) => {
      if (states.at(-1) !== x.state) states.push(x.state);
    },
    childEvents: os,
  });
  const main = (i: number): FakeProcess => {
    const p = os.mains(config.name)[i];
    assert.ok(p, `main process #${i} was spawned`);
    return p;
  };
  const probes = (): FakeProcess[] => os.spawned.filter((p) => p.req.service === config.name && p.req.role === 'test');
  return { clock, os, r, states, main, probes };
}

test('spawn: a service without a probe goes Unknown → Spawned → Running with the pid of its main process', () => {
  const { os, r, states, main } = setup(svc('web', { argv: ['web', '--port', '80'], dir: '/srv' }));
  assert.equal(r.state, 'Unknown');
  assert.equal(r.pid, null);
  r.requestStart();
  assert.equal(r.target, 'Up');
  assert.equal(r.wantStart, true, 'a start waits for the manager to call spawn()');
  assert.equal(os.spawned.length, 0, 'requestStart alone spawns nothing');
  r.spawn();
  assert.equal(r.wantStart, false);
  assert.equal(r.state, 'Running');
  assert.deepEqual(states, ['Spawned', 'Running']);
  const p = main(0);
  assert.equal(r.pid, p.pid);
  assert.equal(p.req.role, 'main');
  assert.deepEqual(p.req.argv, ['web', '--port', '80']);
  assert.equal(p.req.cwd, '/srv');
  assert.deepEqual(p.req.env, { ZINIT_TEST: '1' });
  assert.equal(r.lastExit, null);
  assert.equal(r.restarts, 0);
  r.spawn();
  assert.equal(os.mains('web').length, 1, 'a second spawn while the process lives is a no-op');
});

test('exit: the state, pid and exit record follow the exit, and the respawn comes exactly restart_delay later', async () => {
  const { clock, os, r, main } = setup(svc('app', { restartDelayMs: 300 }));
  r.requestStart();
  r.spawn();
  const first = main(0);
  await clock.advance(1000);
  const before = Date.now();
  first.exit({ code: 3, signal: null });
  await flush();
  const after = Date.now();
  assert.equal(r.state, 'Error');
  assert.equal(r.pid, null);
  assert.ok(r.lastExit);
  assert.equal(r.lastExit.code, 3);
  assert.equal(r.lastExit.signal, null);
  assert.equal(r.lastExit.pid, first.pid);
  assert.ok(r.lastExit.at >= before && r.lastExit.at <= after, 'the exit record carries the wall-clock time of the exit');
  assert.equal(r.restartPending, true);
  await clock.advance(299);
  assert.equal(os.mains('app').length, 1, 'no respawn before restart_delay');
  await clock.advance(1);
  assert.equal(clock.now(), 1300);
  assert.equal(os.mains('app').length, 2, 'respawned at exactly restart_delay');
  const second = main(1);
  assert.notEqual(second.pid, first.pid);
  assert.equal(r.pid, second.pid);
  assert.equal(r.state, 'Running');
  assert.equal(r.restarts, 1);
  assert.equal(r.restartPending, false);
  assert.equal(r.lastExit.pid, first.pid, 'the exit record stays that of the last exit');
});

test('backoff: restart_delay doubles on each consecutive restart up to restart_max_delay; a long run resets it', async () => {
  const { clock, os, r, main } = setup(svc('flappy', { restartDelayMs: 100, restartMaxDelayMs: 500 }));
  r.requestStart();
  r.spawn();
  const expected = [100, 200, 400, 500, 500];
  for (const [i, delay] of expected.entries()) {
    main(i).exit({ code: 1, signal: null });
    await flush();
    assert.equal(r.state, 'Error');
    const t = clock.now();
    await clock.advance(delay - 1);
    assert.equal(os.mains('flappy').length, i + 1, `restart ${i + 1} not before ${delay} ms`);
    await clock.advance(1);
    assert.equal(os.mains('flappy').length, i + 2, `restart ${i + 1} at ${delay} ms`);
    assert.equal(clock.now() - t, delay);
    assert.equal(r.state, 'Running');
    assert.equal(r.restarts, i + 1);
  }
  // Ran longer than restart_max_delay: healthy, so the next restart is at the first delay again.
  await clock.advance(501);
  main(expected.length).exit({ code: 1, signal: null });
  await flush();
  await clock.advance(99);
  assert.equal(os.mains('flappy').length, expected.length + 1);
  await clock.advance(1);
  assert.equal(os.mains('flappy').length, expected.length + 2, 'the backoff was reset by the long run');
});

test('max_restarts: after that many consecutive restarts the next exit gives up into Failure and nothing respawns', async () => {
  const { clock, os, r, states, main } = setup(svc('crashy', { restartDelayMs: 100, maxRestarts: 2 }));
  r.requestStart();
  r.spawn();
  main(0).exit({ code: 1, signal: null });
  await clock.advance(100);
  assert.equal(os.mains('crashy').length, 2);
  main(1).exit({ code: 1, signal: null });
  await clock.advance(200);
  assert.equal(os.mains('crashy').length, 3);
  assert.equal(r.restarts, 2);
  const last = main(2);
  last.exit({ code: null, signal: 'SIGSEGV' });
  await flush();
  assert.equal(r.state, 'Failure');
  assert.equal(r.restartPending, false);
  assert.equal(clock.pending, 0, 'no timer left behind');
  assert.equal(r.pid, null);
  assert.equal(r.lastExit?.pid, last.pid);
  assert.equal(r.lastExit?.code, null);
  assert.equal(r.lastExit?.signal, 'SIGSEGV');
  assert.deepEqual(states.slice(-2), ['Error', 'Failure']);
  await clock.advance(60_000);
  assert.equal(os.mains('crashy').length, 3, 'given up: no respawn however long one waits');
  assert.equal(r.restarts, 2);
  assert.equal(r.target, 'Up', 'the target stays Up: only a start by hand brings it back');
});

test('restart on-failure: a clean exit stays in Success without a respawn', async () => {
  const { clock, os, r, main } = setup(svc('job', { restart: 'on-failure' }));
  r.requestStart();
  r.spawn();
  main(0).exit({ code: 0, signal: null });
  await flush();
  assert.equal(r.state, 'Success');
  assert.equal(r.restartPending, false);
  await clock.advance(60_000);
  assert.equal(os.mains('job').length, 1);
});

test('oneshot success: Spawned until it exits (never Running), then Success, no respawn', async () => {
  const { clock, os, r, states, main } = setup(svc('migrate', { oneshot: true }));
  r.requestStart();
  r.spawn();
  assert.equal(r.state, 'Spawned', 'a oneshot is not Running while it runs');
  const p = main(0);
  assert.equal(r.pid, p.pid);
  await clock.advance(5000);
  assert.equal(r.state, 'Spawned');
  p.exit({ code: 0, signal: null });
  await flush();
  assert.equal(r.state, 'Success');
  assert.deepEqual(states, ['Spawned', 'Success']);
  assert.deepEqual({ code: r.lastExit?.code, signal: r.lastExit?.signal, pid: r.lastExit?.pid }, { code: 0, signal: null, pid: p.pid });
  assert.equal(r.restartPending, false);
  await clock.advance(60_000);
  assert.equal(os.mains('migrate').length, 1);
});

test('oneshot error: a failing oneshot ends in Error with its exact exit code, no respawn', async () => {
  const { clock, os, r, main } = setup(svc('migrate', { oneshot: true }));
  r.requestStart();
  r.spawn();
  main(0).exit({ code: 7, signal: null });
  await flush();
  assert.equal(r.state, 'Error');
  assert.equal(r.lastExit?.code, 7);
  assert.equal(r.lastExit?.signal, null);
  assert.equal(r.restartPending, false);
  assert.equal(clock.pending, 0);
  await clock.advance(60_000);
  assert.equal(os.mains('migrate').length, 1);
  assert.equal(r.restarts, 0);
});

test('readiness probe: Spawned while the test fails, retried at 50 ms then 63 ms, Running when it passes', async () => {
  const { clock, os, r, states, probes } = setup(svc('db', { testArgv: ['pg_isready'] }));
  os.probeResult.set('db', 1);
  r.requestStart();
  r.spawn();
  assert.equal(r.state, 'Spawned');
  assert.equal(probes().length, 0, 'the first probe runs on the next timer turn');
  await clock.advance(0);
  assert.equal(probes().length, 1);
  assert.deepEqual(probes()[0]?.req.argv, ['pg_isready']);
  assert.equal(r.state, 'Spawned', 'a failing probe keeps the service Spawned');
  await clock.advance(49);
  assert.equal(probes().length, 1);
  await clock.advance(1);
  assert.equal(probes().length, 2, 'second probe at 50 ms');
  assert.equal(r.state, 'Spawned');
  os.probeResult.set('db', 0);
  await clock.advance(62);
  assert.equal(probes().length, 2);
  assert.equal(r.state, 'Spawned');
  await clock.advance(1);
  assert.equal(probes().length, 3, 'third probe 63 ms after the second');
  assert.equal(clock.now(), 113);
  assert.equal(r.state, 'Running');
  assert.deepEqual(states, ['Spawned', 'Running']);
  await clock.advance(10_000);
  assert.equal(probes().length, 3, 'no more probes once Running');
  assert.equal(clock.pending, 0);
});

test('readiness probe: one that cannot run (127) shows TestFailure, and Running once it passes', async () => {
  const { clock, os, r, states, probes } = setup(svc('db', { testArgv: ['missing-probe'], testIntervalMs: 1000 }));
  os.probeResult.set('db', 127);
  r.requestStart();
  r.spawn();
  await clock.advance(0);
  assert.equal(r.state, 'TestFailure');
  assert.equal(r.pid, os.mains('db')[0]?.pid, 'the main process still runs');
  os.probeResult.set('db', 0);
  await clock.advance(999);
  assert.equal(probes().length, 1, 'a configured test_interval is used as is');
  assert.equal(r.state, 'TestFailure');
  await clock.advance(1);
  assert.equal(probes().length, 2);
  assert.equal(r.state, 'Running');
  assert.deepEqual(states, ['Spawned', 'TestFailure', 'Running']);
});

test('readiness probe: a probe that hangs is SIGKILLed at test_timeout and tried again', async () => {
  const { clock, os, r, probes } = setup(svc('db', { testArgv: ['slow-probe'], testTimeoutMs: 500, testIntervalMs: 100 }));
  os.probeResult.set('db', 'hang');
  r.requestStart();
  r.spawn();
  await clock.advance(0);
  const probe = probes()[0];
  assert.ok(probe);
  await clock.advance(499);
  assert.equal(probe.exited, false);
  await clock.advance(1);
  assert.deepEqual(os.signals.filter((s) => s.pid === probe.pid), [{ pid: probe.pid, signal: 'SIGKILL', group: true }]);
  assert.equal(probe.exited, true);
  assert.equal(r.state, 'Spawned');
  os.probeResult.set('db', 0);
  await clock.advance(100);
  assert.equal(probes().length, 2);
  assert.equal(r.state, 'Running');
});

test('readiness probe: the main process exiting while Spawned is an exit, and the pending probe is dropped', async () => {
  const { clock, os, r, probes, main } = setup(svc('db', { testArgv: ['probe'], restartDelayMs: 1000 }));
  os.probeResult.set('db', 1);
  r.requestStart();
  r.spawn();
  await clock.advance(0);
  assert.equal(probes().length, 1);
  main(0).exit({ code: 2, signal: null });
  await flush();
  assert.equal(r.state, 'Error');
  assert.equal(r.lastExit?.code, 2);
  await clock.advance(999);
  assert.equal(probes().length, 1, 'no probe of a process that is gone');
  assert.equal(os.mains('db').length, 1);
  await clock.advance(1);
  assert.equal(os.mains('db').length, 2);
  assert.equal(r.state, 'Spawned', 'the new run is probed again before it is Running');
});

test('stop while running: the stop signal to the group, exit recorded, Success, no respawn', async () => {
  const { clock, os, r, states, main } = setup(svc('web'));
  r.requestStart();
  r.spawn();
  const p = main(0);
  await clock.advance(500);
  const stopping = r.stop();
  assert.equal(r.target, 'Down');
  assert.equal(r.isStopping, true);
  assert.equal(r.stopDeadline, 500 + 10_000, 'SIGKILL is due at shutdown_timeout after the stop began');
  assert.deepEqual(os.signals[0], { pid: p.pid, signal: 'SIGTERM', group: true });
  const report = await stopping;
  assert.equal(report.hadProcess, true);
  assert.equal(report.signal, 'SIGTERM');
  assert.equal(report.sigkill, false);
  assert.equal(report.durationMs, 0);
  assert.equal(r.lastStop, report);
  assert.equal(r.isStopping, false);
  assert.equal(r.stopDeadline, null);
  assert.equal(r.state, 'Success', 'an exit after a stop counts as clean');
  assert.equal(r.pid, null);
  assert.equal(r.lastExit?.pid, p.pid);
  assert.equal(r.lastExit?.signal, 'SIGTERM');
  assert.equal(r.lastExit?.code, null);
  assert.deepEqual(states.slice(0, 3), ['Spawned', 'Running', 'Success']);
  await clock.advance(60_000);
  assert.equal(os.mains('web').length, 1, 'a stopped service is not respawned');
  assert.equal(r.restartPending, false);
});

test('stop of a process that ignores the stop signal: SIGKILL exactly at shutdown_timeout', async () => {
  const { clock, os, r, main } = setup(svc('stubborn', { shutdownTimeoutMs: 2000 }));
  os.diesOn = new Set(['SIGKILL']);
  r.requestStart();
  r.spawn();
  const p = main(0);
  const stopping = r.stop();
  await clock.advance(1999);
  assert.equal(p.exited, false);
  assert.equal(r.state, 'Running');
  assert.ok(!os.signals.some((s) => s.signal === 'SIGKILL'));
  await clock.advance(1);
  assert.ok(os.signals.some((s) => s.pid === p.pid && s.signal === 'SIGKILL'));
  const report = await stopping;
  assert.equal(report.sigkill, true);
  assert.equal(report.durationMs, 2000);
  assert.equal(r.state, 'Success');
  assert.equal(r.lastExit?.signal, 'SIGKILL');
});

test('stop while a respawn is pending cancels it', async () => {
  const { clock, os, r, main } = setup(svc('app', { restartDelayMs: 1000 }));
  r.requestStart();
  r.spawn();
  main(0).exit({ code: 1, signal: null });
  await flush();
  assert.equal(r.restartPending, true);
  const report = await r.stop();
  assert.equal(report.hadProcess, false);
  assert.equal(r.restartPending, false);
  await clock.advance(60_000);
  assert.equal(os.mains('app').length, 1);
  assert.equal(r.state, 'Error', 'the state stays that of the last exit');
});
