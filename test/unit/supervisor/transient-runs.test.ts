// One-off runs on fake processes and the fake clock: ids, exact exit status, list, cancel, timeout, killAll.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TransientRuns, runTagName, type RunRequest } from '../../../src/supervisor/transient-runs.js';
import type { TrackedProcess } from '../../../src/supervisor/ports.js';
import { FakeClock, flush } from '../../helpers/fake-clock.js';
import { FakeOs, type FakeProcess } from '../../helpers/fake-os.js';
import { quietLogger } from '../../helpers/service-config.js';

function setup() {
  const clock = new FakeClock();
  const os = new FakeOs();
  const runs = new TransientRuns({ proc: os, table: os, clock, logger: quietLogger, env: (tag) => ({ BASE: 'yes', TAG: tag }) });
  const proc = (pid: number): FakeProcess => {
    const p = os.spawned.find((x) => x.pid === pid);
    assert.ok(p, `process ${pid} was spawned`);
    return p;
  };
  return { clock, os, runs, proc };
}

const req = (over: Partial<RunRequest> = {}): RunRequest => ({ argv: ['sleep', '60'], env: {}, dir: '/tmp', name: null, timeoutMs: null, uid: null, gid: null, ...over });
const noOutput = (): void => undefined;
const child = (pid: number, parent: number): TrackedProcess => ({ pid, startTime: 5, ppid: parent, pgrp: parent, session: parent, comm: 'child', state: 'S', escaped: false, underMain: true });

/** Resolves to true when `p` settled within the current turn of promise callbacks. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  await flush();
  return done;
}

test('start: an id, a name (the id unless given), the pid, and a spawn tagged run/<id> in its own environment', () => {
  const { os, runs } = setup();
  const before = Date.now();
  const a = runs.start(req({ argv: ['echo', 'hi'], env: { TAG: 'user', X: '1' }, dir: '/work', uid: 1000, gid: 1001 }), noOutput);
  const b = runs.start(req({ name: 'backup' }), noOutput);
  assert.equal(a.info.id, 'run-1');
  assert.equal(a.info.name, 'run-1');
  assert.equal(b.info.id, 'run-2');
  assert.equal(b.info.name, 'backup');
  assert.equal(a.info.pid, os.spawned[0]?.pid);
  assert.equal(b.info.pid, os.spawned[1]?.pid);
  assert.notEqual(a.info.pid, b.info.pid);
  assert.deepEqual(a.info.argv, ['echo', 'hi']);
  assert.ok(a.info.startedAt >= before && a.info.startedAt <= Date.now());
  const r = os.spawned[0]?.req;
  assert.equal(r?.service, 'run/run-1');
  assert.equal(r?.service, runTagName('run-1'));
  assert.equal(r?.role, 'run');
  assert.deepEqual(r?.argv, ['echo', 'hi']);
  assert.equal(r?.cwd, '/work');
  assert.equal(r?.uid, 1000);
  assert.equal(r?.gid, 1001);
  assert.deepEqual(r?.env, { BASE: 'yes', TAG: 'user', X: '1' }, 'the request environment overrides the base');
  assert.equal(r?.output, noOutput);
});

test('exit: the result carries the exact exit code', async () => {
  const { runs, proc } = setup();
  const { info, done } = runs.start(req(), noOutput);
  proc(info.pid).exit({ code: 42, signal: null });
  assert.deepEqual(await done, { code: 42, signal: null, timedOut: false, cancelled: false, spawnError: null, leftoversKilled: 0 });
});

test('exit: the result carries the exact signal of a run killed from outside', async () => {
  const { os, runs, proc } = setup();
  const { info, done } = runs.start(req(), noOutput);
  proc(info.pid).exit({ code: null, signal: 'SIGSEGV' });
  assert.deepEqual(await done, { code: null, signal: 'SIGSEGV', timedOut: false, cancelled: false, spawnError: null, leftoversKilled: 0 });
  assert.deepEqual(os.signals, [], 'a run that ended by itself with nothing left is not signalled');
});

test('exit: processes a finished run left behind are killed, and the result waits until they are gone', async () => {
  const { clock, os, runs, proc } = setup();
  const { info, done } = runs.start(req(), noOutput);
  const tag = runTagName(info.id);
  os.extra.set(tag, [child(900, info.pid)]);
  proc(info.pid).exit({ code: 0, signal: null });
  await flush();
  assert.deepEqual(os.signals, [{ pid: 900, signal: 'SIGKILL' }]);
  assert.equal(await settled(done), false, 'the leftover still lives');
  assert.equal(runs.list().length, 1, 'listed until its tree is gone');
  os.setExtra(tag, []);
  await clock.advance(10);
  const r = await done;
  assert.equal(r.code, 0);
  assert.equal(r.leftoversKilled, 1);
  assert.deepEqual(runs.list(), []);
});

test('list: shows the runs still running only', async () => {
  const { runs, proc } = setup();
  const a = runs.start(req({ name: 'a', argv: ['a'] }), noOutput);
  const b = runs.start(req({ name: 'b', argv: ['b'] }), noOutput);
  assert.deepEqual(runs.list(), [a.info, b.info]);
  proc(a.info.pid).exit({ code: 0, signal: null });
  await a.done;
  assert.deepEqual(runs.list(), [b.info]);
  proc(b.info.pid).exit({ code: 1, signal: null });
  await b.done;
  assert.deepEqual(runs.list(), []);
});

test('cancel: SIGKILL to the group of the run and to every process of its tag; the result says cancelled', async () => {
  const { os, runs } = setup();
  const other = runs.start(req(), noOutput);
  const { info, done } = runs.start(req(), noOutput);
  const tag = runTagName(info.id);
  os.extra.set(tag, [child(900, info.pid), { ...child(901, 900), escaped: true, underMain: false }]);
  assert.equal(runs.cancel(info.id), true);
  assert.deepEqual(os.signals, [
    { pid: info.pid, signal: 'SIGKILL', group: true },
    { pid: 900, signal: 'SIGKILL' },
    { pid: 901, signal: 'SIGKILL' },
  ]);
  os.setExtra(tag, []);
  const r = await done;
  assert.equal(r.cancelled, true);
  assert.equal(r.timedOut, false);
  assert.equal(r.signal, 'SIGKILL');
  assert.equal(r.code, null);
  assert.ok(!os.signals.some((s) => s.pid === other.info.pid), 'the other run is untouched');
  assert.deepEqual(runs.list(), [other.info]);
  assert.equal(runs.cancel(info.id), false, 'a finished run cannot be cancelled');
  assert.equal(runs.cancel('run-99'), false, 'nor an unknown one');
});

test('timeout: the whole tree is SIGKILLed exactly at timeoutMs and the result says timedOut', async () => {
  const { clock, os, runs, proc } = setup();
  const { info, done } = runs.start(req({ timeoutMs: 1000 }), noOutput);
  const tag = runTagName(info.id);
  os.extra.set(tag, [child(900, info.pid)]);
  await clock.advance(999);
  assert.deepEqual(os.signals, []);
  assert.equal(proc(info.pid).exited, false);
  await clock.advance(1);
  assert.deepEqual(os.signals.slice(0, 2), [
    { pid: info.pid, signal: 'SIGKILL', group: true },
    { pid: 900, signal: 'SIGKILL' },
  ]);
  os.setExtra(tag, []);
  await clock.advance(10);
  const r = await done;
  assert.equal(r.timedOut, true);
  assert.equal(r.cancelled, false);
  assert.equal(r.signal, 'SIGKILL');
});

test('timeout: a run that ends first is never signalled, and its timer is cleared', async () => {
  const { clock, os, runs, proc } = setup();
  const { info, done } = runs.start(req({ timeoutMs: 1000 }), noOutput);
  assert.equal(clock.pending, 1);
  await clock.advance(500);
  proc(info.pid).exit({ code: 0, signal: null });
  const r = await done;
  assert.equal(r.timedOut, false);
  assert.equal(clock.pending, 0);
  await clock.advance(1000);
  assert.deepEqual(os.signals, []);
});

test('killAll: every running run is killed with its tree, and it resolves once all have ended', async () => {
  const { os, runs, proc } = setup();
  const a = runs.start(req(), noOutput);
  const b = runs.start(req({ timeoutMs: 60_000 }), noOutput);
  const finished = runs.start(req(), noOutput);
  proc(finished.info.pid).exit({ code: 0, signal: null });
  await finished.done;
  os.extra.set(runTagName(b.info.id), [child(900, b.info.pid)]);
  const all = runs.killAll();
  assert.deepEqual(
    os.signals.filter((s) => s.group).map((s) => s.pid),
    [a.info.pid, b.info.pid],
    'a group SIGKILL to each running run, none to the finished one',
  );
  assert.ok(os.signals.some((s) => s.pid === 900 && s.signal === 'SIGKILL'));
  os.setExtra(runTagName(b.info.id), []);
  await all;
  assert.deepEqual(runs.list(), []);
  assert.equal((await a.done).cancelled, true);
  assert.equal((await b.done).cancelled, true);
  assert.equal((await b.done).signal, 'SIGKILL');
});

test('killAll with nothing running resolves at once', async () => {
  const { os, runs } = setup();
  assert.equal(await settled(runs.killAll()), true);
  assert.deepEqual(os.signals, []);
});

test('ids and tags are unique, even for runs given the same name; cancel by id hits only its own run', async () => {
  const { os, runs } = setup();
  const a = runs.start(req({ name: 'job' }), noOutput);
  const b = runs.start(req({ name: 'job' }), noOutput);
  const c = runs.start(req(), noOutput);
  const ids = [a.info.id, b.info.id, c.info.id];
  assert.equal(new Set(ids).size, 3);
  assert.equal(new Set(os.spawned.map((p) => p.req.service)).size, 3, 'each run has its own tag');
  assert.deepEqual([a.info.name, b.info.name], ['job', 'job'], 'a requested name is not made unique');
  assert.equal(c.info.name, c.info.id);
  runs.cancel(b.info.id);
  await b.done;
  assert.deepEqual(
    os.signals.map((s) => s.pid),
    [b.info.pid],
  );
  assert.deepEqual(
    runs.list().map((r) => r.id),
    [a.info.id, c.info.id],
  );
});
