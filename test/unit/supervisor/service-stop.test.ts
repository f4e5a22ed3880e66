// One stop on the fake clock: driven by the main exit, child events and the deadline; polls only without events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIRST_SCAN_MS, SIGKILL_GRACE_MS, stopService, type MainProcess, type StopReport } from '../../../src/supervisor/service-stop.js';
import type { ServiceConfig } from '../../../src/config/types.js';
import type { TrackedProcess } from '../../../src/supervisor/ports.js';
import { FakeClock, flush } from '../../helpers/fake-clock.js';
import { FakeOs, type FakeProcess } from '../../helpers/fake-os.js';
import { quietLogger, svc } from '../../helpers/service-config.js';

interface Harness {
  readonly clock: FakeClock;
  readonly os: FakeOs;
  readonly main: FakeProcess;
  readonly done: Promise<StopReport>;
  settled(): boolean;
  to(pid: number): string[];
}

function start(config: ServiceConfig, setup: (os: FakeOs, mainPid: number) => void = () => undefined, opts: { events?: boolean } = {}): Harness {
  const clock = new FakeClock();
  const os = new FakeOs();
  const handle = os.spawn({ service: config.name, role: 'main', argv: ['x'], env: {}, cwd: '/', uid: null, gid: null, output: null });
  const main = os.spawned[0] as FakeProcess;
  setup(os, handle.pid);
  const m: MainProcess = { pid: handle.pid, exited: handle.exited };
  let settled = false;
  const done = stopService({ proc: os, table: os, clock, logger: quietLogger, ...(opts.events === false ? {} : { childEvents: os }) }, config, m).then((r) => {
    settled = true;
    return r;
  });
  return { clock, os, main, done, settled: () => settled, to: (pid) => os.signals.filter((s) => s.pid === pid).map((s) => s.signal) };
}

const worker = (main: number): TrackedProcess => ({ pid: 900, startTime: 1, ppid: main, pgrp: 900, session: 900, comm: 'worker', state: 'S', escaped: false, underMain: true });

test('no walk of the process table while nothing happens: one at FIRST_SCAN_MS, then none until the deadline', async () => {
  const h = start(svc('idle', { shutdownTimeoutMs: 1000 }), (os) => (os.diesOn = new Set(['SIGKILL'])));
  await flush();
  assert.equal(h.os.scans, 0, 'the main group was signalled without a walk');
  assert.deepEqual(h.to(h.main.pid), ['SIGTERM', 'SIGCONT']);
  await h.clock.advance(FIRST_SCAN_MS);
  assert.equal(h.os.scans, 1);
  await h.clock.advance(1000 - FIRST_SCAN_MS - 1);
  assert.equal(h.os.scans, 1, 'no poll: nothing exited, so nothing is walked');
  assert.ok(!h.to(h.main.pid).includes('SIGKILL'));
  await h.clock.advance(1);
  assert.deepEqual(h.to(h.main.pid), ['SIGTERM', 'SIGCONT', 'SIGKILL'], 'SIGKILL at the deadline, not a poll later');
  const r = await h.done;
  assert.equal(r.sigkill, true);
  assert.equal(r.durationMs, 1000);
});

test('a child event is what makes the stop look again; events of one turn share one walk', async () => {
  const h = start(svc('w'), (os, pid) => {
    os.diesOn = new Set();
    os.extra.set('w', [worker(pid)]);
  });
  await flush();
  h.os.childEvent();
  h.os.childEvent();
  h.os.childEvent();
  await flush();
  assert.equal(h.os.scans, 2, 'one walk, and one more for the events that came while it ran');
  assert.deepEqual(h.to(900), ['SIGCONT'], 'under mixed, a worker under a live main process waits for it');
  h.main.exit({ code: 0, signal: null });
  await flush();
  assert.deepEqual(h.to(900), ['SIGCONT', 'SIGTERM', 'SIGCONT'], 'the moment the main process exits, the worker hears');
  assert.equal(h.settled(), false, 'the worker still lives');
  h.os.setExtra('w', []);
  const r = await h.done;
  assert.equal(r.sigkill, false);
  assert.equal(r.durationMs, 0, 'no time passed on the clock: every step was an event');
  assert.equal(r.descendants, 1);
});

test('the stop ends with the main exit event even when the walk saw everything gone before it', async () => {
  const h = start(svc('slow-exit'), (os) => (os.diesOn = new Set()));
  await flush();
  h.main.exited = true; // gone from the process table, exit event not delivered yet
  h.os.childEvent();
  await flush();
  assert.equal(h.settled(), false);
  h.main.exited = false;
  h.main.exit({ code: 0, signal: null });
  await flush();
  assert.equal(h.settled(), true);
});

test('an empty walk that met a fresh zombie child waits for the child event that follows, and the walk after it', async () => {
  const h = start(svc('orphaned'), (os) => (os.diesOn = new Set()));
  await flush();
  h.os.unsettledWalks = 1;
  h.main.exit({ code: 0, signal: null });
  await flush();
  assert.equal(h.settled(), false, 'the unsettled empty walk did not end the stop');
  const scans = h.os.scans;
  h.os.childEvent();
  await flush();
  assert.equal(h.os.scans, scans + 1);
  assert.equal(h.settled(), true);
});

test('without child events (or with a table that is not our subtree) the stop polls, backing off', async () => {
  const h = start(svc('poll'), (os, pid) => os.extra.set('poll', [worker(pid)]), { events: false });
  await flush();
  const s0 = h.os.scans;
  assert.ok(s0 >= 1, 'a walk at once');
  assert.deepEqual(h.to(900), ['SIGTERM', 'SIGCONT'], 'the main process died on SIGTERM: the worker hears at once');
  await h.clock.advance(10);
  assert.equal(h.os.scans, s0 + 1);
  await h.clock.advance(19);
  assert.equal(h.os.scans, s0 + 1);
  await h.clock.advance(1);
  assert.equal(h.os.scans, s0 + 2, 'the next poll twice as late');
  h.os.extra.set('poll', []);
  await h.clock.advance(40);
  const r = await h.done;
  assert.equal(r.durationMs, 70);
});

test('what survives SIGKILL for SIGKILL_GRACE_MS is reported as remaining', async () => {
  const h = start(svc('zombie-ish', { shutdownTimeoutMs: 100 }), (os, pid) => {
    os.diesOn = new Set(['SIGKILL']);
    os.extra.set('zombie-ish', [worker(pid)]);
  });
  await h.clock.advance(100);
  assert.deepEqual(h.to(900), ['SIGCONT', 'SIGKILL']);
  await h.clock.advance(SIGKILL_GRACE_MS);
  const r = await h.done;
  assert.deepEqual(r.remaining.map((p) => p.pid), [900]);
  assert.equal(r.durationMs, 100 + SIGKILL_GRACE_MS);
});

test('a stop with nothing to stop returns at once and says so', async () => {
  const clock = new FakeClock();
  const os = new FakeOs();
  const r = await stopService({ proc: os, table: os, clock, logger: quietLogger, childEvents: os }, svc('none'), null);
  assert.equal(r.hadProcess, false);
  assert.equal(os.signals.length, 0);
  assert.equal(os.subscribers, 0);
});

test('a finished stop leaves no timer and no subscription behind', async () => {
  const h = start(svc('clean'));
  await flush();
  await h.done;
  await flush();
  assert.equal(h.os.subscribers, 0);
  assert.equal(h.clock.pending, 0);
});

/** cgroup mode's table: the leaf's populated flag is watched, and cgroup.kill reaches the whole leaf. */
class FakeCgroupOs extends FakeOs {
  readonly watchers = new Set<() => void>();
  readonly kills: string[] = [];
  watch(_service: string, fn: () => void): () => void {
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }
  killAll(service: string): boolean {
    this.kills.push(service);
    this.extra.set(service, []);
    for (const fn of [...this.watchers]) fn();
    return true;
  }
  /** The last process left the leaf: populated 0, told by inotify, not by a child event. */
  emptied(service: string): void {
    this.extra.set(service, []);
    for (const fn of [...this.watchers]) fn();
  }
}

function startContained(config: ServiceConfig, setup: (os: FakeCgroupOs, mainPid: number) => void) {
  const clock = new FakeClock();
  const os = new FakeCgroupOs();
  const handle = os.spawn({ service: config.name, role: 'main', argv: ['x'], env: {}, cwd: '/', uid: null, gid: null, output: null });
  setup(os, handle.pid);
  let settled = false;
  const done = stopService({ proc: os, table: os, clock, logger: quietLogger, childEvents: os }, config, { pid: handle.pid, exited: handle.exited }).then((r) => {
    settled = true;
    return r;
  });
  return { clock, os, done, settled: () => settled };
}

const escapee: TrackedProcess = { pid: 4242, startTime: 7, ppid: 1, pgrp: 4242, session: 4242, comm: 'sleep', state: 'S', escaped: true, underMain: false };

test('cgroup mode: an escapee is signalled, and its death ends the stop through populated 0 with no child event and no poll', async () => {
  const h = startContained(svc('esc', { shutdownTimeoutMs: 10_000 }), (os) => os.extra.set('esc', [escapee]));
  await flush();
  await h.clock.advance(FIRST_SCAN_MS);
  assert.deepEqual(h.os.signals.filter((s) => s.pid === escapee.pid).map((s) => s.signal), ['SIGTERM', 'SIGCONT'], 'the stop signal first, at the first walk after the main exit');
  const scans = h.os.scans;
  await h.clock.advance(5000);
  assert.equal(h.os.scans, scans, 'nothing polls while the escapee lives');
  assert.equal(h.settled(), false);
  h.os.emptied('esc');
  await flush();
  const r = await h.done;
  assert.equal(r.sigkill, false);
  assert.equal(r.remaining.length, 0);
  assert.deepEqual(h.os.kills, [], 'no cgroup.kill before the deadline');
  assert.equal(h.os.watchers.size, 0, 'the watch ends with the stop');
});

test('cgroup mode: at the deadline cgroup.kill reaches the leaf, once, beside the SIGKILL of what the walks met', async () => {
  const h = startContained(svc('stubborn', { shutdownTimeoutMs: 1000 }), (os) => {
    os.diesOn = new Set(['SIGKILL']);
    os.extra.set('stubborn', [escapee]);
  });
  await flush();
  await h.clock.advance(999);
  assert.deepEqual(h.os.kills, []);
  await h.clock.advance(1);
  assert.deepEqual(h.os.kills, ['stubborn']);
  assert.ok(h.os.signals.some((s) => s.pid === escapee.pid && s.signal === 'SIGKILL'));
  const r = await h.done;
  assert.equal(r.sigkill, true);
  assert.deepEqual(r.remaining, []);
});
