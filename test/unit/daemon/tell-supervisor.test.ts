// What zinit-ts tells systemd (Type=notify): READY=1 once the first start settled, STATUS= counts at a bounded rate, STOPPING=1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { READY_AT_THE_LATEST_MS, RESEND_EVERY_MS, RESEND_TIMES, startSettled, statusText, tellSupervisor, STATUS_EVERY_MS } from '../../../src/daemon/tell-supervisor.js';
import { ServiceManager } from '../../../src/supervisor/manager.js';
import { FakeClock, flush } from '../../helpers/fake-clock.js';
import { FakeOs } from '../../helpers/fake-os.js';
import { quietLogger, svc } from '../../helpers/service-config.js';
import type { ServiceConfig } from '../../../src/config/types.js';

function setup(configs: ServiceConfig[]) {
  const clock = new FakeClock();
  const os = new FakeOs();
  const m = new ServiceManager({ proc: os, table: os, clock, logger: quietLogger, env: () => ({}), output: () => null, childEvents: os });
  m.load(new Map(configs.map((c) => [c.name, c])), []);
  const sent: string[] = [];
  const tell = tellSupervisor({
    send: (t) => {
      sent.push(t);
      return true;
    },
    list: () => m.list(),
    subscribe: (fn) => m.subscribe(fn),
    setTimeout: (fn, ms) => clock.setTimeout(fn, ms),
    now: () => clock.now(),
  });
  return { clock, os, m, sent, tell };
}

test('READY=1 waits until a probed dependency is ready and its dependent has started, then comes once', async () => {
  const { clock, os, m, sent, tell } = setup([svc('db', { testArgv: ['probe'], testIntervalMs: 1000 }), svc('app', { after: ['db'] })]);
  os.probeResult.set('db', 1);
  m.startAll();
  tell.loaded();
  await clock.advance(2500);
  assert.deepEqual(sent, ['STATUS=0 running, 0 done, 1 starting, 1 blocked (of 2)'], 'db is still Spawned: not ready, and STATUS= says how far the start got');
  os.probeResult.set('db', 0);
  await clock.advance(1000);
  assert.equal(m.status('app').state, 'Running');
  assert.equal(sent[1], 'READY=1\nSTATUS=2 running, 0 done (of 2)');
  assert.equal(sent.filter((s) => s.startsWith('READY=1')).length, 1);
});

test('a service blocked on a missing dependency does not hold READY back; nothing is sent before loaded()', async () => {
  const { clock, m, sent, tell } = setup([svc('app', { after: ['nowhere'] })]);
  m.startAll();
  await clock.advance(100);
  assert.equal(sent.length, 0, 'not before the services are loaded');
  tell.loaded();
  await clock.advance(0);
  assert.equal(sent[0], 'READY=1\nSTATUS=0 running, 0 done, 1 blocked (of 1)');
});

test('STATUS= after changes at most once per STATUS_EVERY_MS; STOPPING=1 once and nothing after', async () => {
  const { clock, os, m, sent, tell } = setup([svc('a', { restartDelayMs: 10, restartMaxDelayMs: 10 })]);
  m.startAll();
  tell.loaded();
  await clock.advance(0);
  assert.equal(sent.length, 1);
  for (let i = 0; i < 5; i++) {
    os.live('a')?.exit({ code: 1, signal: null });
    await clock.advance(10);
  }
  os.live('a')?.exit({ code: 1, signal: null });
  await flush();
  assert.equal(sent.length, 1, 'changes within the window wait for it');
  await clock.advance(STATUS_EVERY_MS - 60);
  assert.equal(sent.length, 1);
  os.live('a')?.exit({ code: 1, signal: null });
  await clock.advance(60);
  assert.equal(sent.length, 2, 'the window ends with one STATUS= of where things are then');
  assert.equal(sent[1], 'STATUS=0 running, 0 done, 1 starting (of 1)', 'the state when the window ends: between a crash and its respawn');
  tell.stopping();
  tell.stopping();
  os.live('a')?.exit({ code: 1, signal: null });
  await clock.advance(5 * STATUS_EVERY_MS);
  assert.deepEqual(sent.slice(2), ['STOPPING=1\nSTATUS=stopping services']);
});

test('startSettled and statusText on hand-made lists', () => {
  const m = setup([svc('x'), svc('y', { oneshot: true })]).m;
  m.startAll();
  const list = m.list();
  assert.equal(startSettled(list), false, 'Unknown services meant to run are still on their way');
  assert.equal(startSettled(list.map((s) => ({ ...s, target: 'Down' as const }))), true);
  const running = list.map((s) => ({ ...s, state: 'Running' as const }));
  assert.equal(startSettled(running), true);
  assert.equal(startSettled(running.map((s, i) => ({ ...s, restarting: i === 0 }))), false, 'a service being restarted (its stop, its post_stop, its backoff) is on its way');
  assert.equal(statusText(list.map((s, i) => ({ ...s, state: i === 0 ? ('Failure' as const) : ('Success' as const) }))), '0 running, 1 done, 1 failed (of 2)');
});

test('READY=1 waits while a crashed service waits for its respawn, and comes at the latest READY_AT_THE_LATEST_MS after loading, naming what is late', async () => {
  const clock = new FakeClock();
  const os = new FakeOs();
  const m = new ServiceManager({ proc: os, table: os, clock, logger: quietLogger, env: () => ({}), output: () => null, childEvents: os });
  m.load(new Map([['db', svc('db', { testArgv: ['probe'], restartDelayMs: 2000, restartMaxDelayMs: 2000 })], ['app', svc('app', { after: ['db'] })]]), []);
  os.probeResult.set('db', 'hang');
  const sent: string[] = [];
  let late: readonly string[] = [];
  const tell = tellSupervisor({ send: (t) => (sent.push(t), true), list: () => m.list(), subscribe: (fn) => m.subscribe(fn), setTimeout: (fn, ms) => clock.setTimeout(fn, ms), now: () => clock.now(), onLateReady: (names) => (late = names) });
  m.startAll();
  tell.loaded();
  await clock.advance(10);
  os.live('db')?.exit({ code: 1, signal: null });
  await clock.advance(1500);
  assert.equal(m.status('db').state, 'Error');
  assert.equal(sent.some((t) => t.startsWith('READY=1')), false, 'db waits for its respawn: the start is not settled');
  await clock.advance(READY_AT_THE_LATEST_MS);
  const ready = sent.filter((t) => t.startsWith('READY=1'));
  assert.equal(ready.length, 1, 'sent at the latest bound');
  assert.deepEqual(late, ['db'], 'the late one is named');
});

test('a READY=1 or STOPPING=1 dropped by a full queue is sent again, a bounded number of times', async () => {
  const clock = new FakeClock();
  const os = new FakeOs();
  const m = new ServiceManager({ proc: os, table: os, clock, logger: quietLogger, env: () => ({}), output: () => null, childEvents: os });
  m.load(new Map(), []);
  let attempts = 0;
  let accept = false;
  const tell = tellSupervisor({ send: () => (attempts++, accept), list: () => m.list(), subscribe: (fn) => m.subscribe(fn), setTimeout: (fn, ms) => clock.setTimeout(fn, ms), now: () => clock.now() });
  tell.loaded();
  await clock.advance(0);
  assert.equal(attempts, 1);
  await clock.advance(RESEND_EVERY_MS * 3);
  assert.equal(attempts, 4, 'tried again every RESEND_EVERY_MS');
  accept = true;
  await clock.advance(RESEND_EVERY_MS * 10);
  assert.equal(attempts, 5, 'once through, no more');
  accept = false;
  attempts = 0;
  tell.stopping();
  await clock.advance(RESEND_EVERY_MS * (RESEND_TIMES + 10));
  assert.equal(attempts, RESEND_TIMES + 1, 'bounded: a supervisor that never reads is not written to forever');
});

test('a STATUS= window opened before READY=1 ends a full window after READY=1, which carried a STATUS= of its own', async () => {
  const { clock, os, m, sent, tell } = setup([svc('db', { testArgv: ['probe'], testIntervalMs: 100 }), svc('quick')]);
  os.probeResult.set('db', 1);
  m.startAll();
  tell.loaded();
  await clock.advance(0);
  assert.equal(sent.length, 0, 'db is still on its way: the first STATUS= waits for its window');
  await clock.advance(STATUS_EVERY_MS - 300);
  os.probeResult.set('db', 0);
  await clock.advance(100);
  assert.equal(sent.at(-1), 'READY=1\nSTATUS=2 running, 0 done (of 2)');
  const readyAt = clock.now();
  const stopped = m.stop('quick');
  await clock.advance(250);
  await stopped;
  assert.equal(sent.length, 1, `the window opened before READY=1 must not end ${clock.now() - readyAt} ms after it: ${JSON.stringify(sent)}`);
  await clock.advance(STATUS_EVERY_MS);
  assert.deepEqual(sent.slice(1), ['STATUS=1 running, 1 done (of 2)']);
});
