// The stop machine alone: who gets which signal at which event, per kill_mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StopMachine, type Delivery, type StopPlan } from '../../../src/supervisor/stop-machine.js';
import type { TrackedProcess } from '../../../src/supervisor/ports.js';

const MAIN = 100;

function proc(pid: number, over: Partial<TrackedProcess> = {}): TrackedProcess {
  return { pid, startTime: 1, ppid: MAIN, pgrp: MAIN, session: MAIN, comm: 'p', state: 'S', escaped: false, underMain: true, ...over };
}

// A child in the main group, a worker in a session of its own under the main process, an orphan whose parent died.
const member = proc(101);
const worker = proc(102, { pgrp: 102, session: 102 });
const orphan = proc(103, { ppid: 1, pgrp: 103, session: 103, escaped: true, underMain: false });
const all = [member, worker, orphan];

/** Deliveries as "target:SIGNAL" lines, one per process. */
function flat(ds: readonly Delivery[]): string[] {
  return ds.flatMap((d) => (d.to === 'procs' ? d.procs.map((p) => `${p.pid}:${d.signal}`) : [`${d.to}:${d.signal}`]));
}

function machine(over: Partial<StopPlan> = {}): StopMachine {
  return new StopMachine({ mode: 'mixed', signal: 'SIGTERM', mainPid: MAIN, ...over });
}

test('mixed: the main group first; at the first walk orphans get the signal and everyone outside the group SIGCONT', () => {
  const m = machine();
  assert.deepEqual(flat(m.begin()), ['main-group:SIGTERM', 'main-group:SIGCONT']);
  assert.equal(m.phase, 'signalled');
  assert.deepEqual(flat(m.on({ kind: 'scanned', procs: all, mainAlive: true })), ['103:SIGTERM', '103:SIGCONT', '102:SIGCONT']);
  assert.deepEqual(flat(m.on({ kind: 'scanned', procs: all, mainAlive: true })), [], 'nothing twice');
});

test('mixed: the moment the main process exits, the rest still alive gets the signal, once, and so does any process found later', () => {
  const m = machine();
  m.begin();
  m.on({ kind: 'scanned', procs: all, mainAlive: true });
  assert.deepEqual(flat(m.on({ kind: 'main-exited' })), ['102:SIGTERM', '102:SIGCONT'], 'not the group member (the group had it) nor the orphan (it had it)');
  assert.equal(m.phase, 'rest-signalled');
  const late = proc(104, { ppid: 1, pgrp: 104, session: 104 });
  assert.deepEqual(flat(m.on({ kind: 'scanned', procs: [worker, late], mainAlive: false })), ['104:SIGTERM', '104:SIGCONT']);
  assert.deepEqual(flat(m.on({ kind: 'scanned', procs: [worker, late], mainAlive: false })), []);
  assert.deepEqual(flat(m.on({ kind: 'scanned', procs: [], mainAlive: false })), []);
  assert.equal(m.phase, 'gone');
});

test('mixed: a walk that no longer finds the main process counts as its exit (the exit event can trail it)', () => {
  const m = machine();
  m.begin();
  m.on({ kind: 'scanned', procs: all, mainAlive: true });
  assert.deepEqual(flat(m.on({ kind: 'scanned', procs: [worker], mainAlive: false })), ['102:SIGTERM', '102:SIGCONT']);
  assert.deepEqual(flat(m.on({ kind: 'main-exited' })), [], 'the exit event after it changes nothing');
});

test('mixed: a main process that dies before the first walk still leaves the group members alone', () => {
  const m = machine();
  m.begin();
  assert.deepEqual(flat(m.on({ kind: 'scanned', procs: all, mainAlive: false })), ['102:SIGTERM', '103:SIGTERM', '102:SIGCONT', '103:SIGCONT']);
});

test('control-group: every process of the service at once', () => {
  const m = machine({ mode: 'control-group' });
  assert.deepEqual(flat(m.begin()), ['main-group:SIGTERM', 'main-group:SIGCONT']);
  assert.deepEqual(flat(m.on({ kind: 'scanned', procs: all, mainAlive: true })), ['102:SIGTERM', '103:SIGTERM', '102:SIGCONT', '103:SIGCONT']);
  assert.deepEqual(flat(m.on({ kind: 'main-exited' })), []);
});

test('process: the main process alone; the rest only SIGCONT, then SIGKILL at the deadline', () => {
  const m = machine({ mode: 'process' });
  assert.deepEqual(flat(m.begin()), ['main:SIGTERM', 'main-group:SIGCONT']);
  assert.deepEqual(flat(m.on({ kind: 'scanned', procs: all, mainAlive: true })), ['102:SIGCONT', '103:SIGCONT']);
  assert.deepEqual(flat(m.on({ kind: 'main-exited' })), []);
  assert.equal(m.phase, 'main-gone');
  assert.deepEqual(flat(m.on({ kind: 'scanned', procs: all, mainAlive: false })), [], 'nobody else hears before the deadline');
  assert.deepEqual(flat(m.on({ kind: 'deadline' })), ['101:SIGKILL', '102:SIGKILL', '103:SIGKILL']);
  assert.equal(m.phase, 'killed');
  assert.equal(m.sigkill, true);
});

test('the deadline: SIGKILL to the group while the main process lives and to each process found, then to whatever turns up', () => {
  const m = machine();
  m.begin();
  m.on({ kind: 'scanned', procs: all, mainAlive: true });
  assert.deepEqual(flat(m.on({ kind: 'deadline' })), ['main-group:SIGKILL', '101:SIGKILL', '102:SIGKILL', '103:SIGKILL']);
  const late = proc(105);
  assert.deepEqual(flat(m.on({ kind: 'scanned', procs: [member, late], mainAlive: false })), ['105:SIGKILL'], 'each process is killed once');
  assert.deepEqual(flat(m.on({ kind: 'main-exited' })), [], 'no stop signal after the deadline');
  m.on({ kind: 'scanned', procs: [], mainAlive: false });
  assert.equal(m.phase, 'gone');
  assert.equal(m.descendants, 4);
});

test('the start-only diagnostic: nobody is told when the main process exits', () => {
  const m = machine({ restAtMainExit: false });
  m.begin();
  m.on({ kind: 'scanned', procs: all, mainAlive: true });
  assert.deepEqual(flat(m.on({ kind: 'main-exited' })), []);
  assert.equal(m.phase, 'main-gone');
});

test('no main process (leftovers of a run): everything found gets the signal at once, except under process', () => {
  const m = machine({ mainPid: null });
  assert.deepEqual(flat(m.begin()), []);
  assert.equal(m.phase, 'rest-signalled');
  assert.deepEqual(flat(m.on({ kind: 'scanned', procs: [orphan], mainAlive: false })), ['103:SIGTERM', '103:SIGCONT']);
  const p = machine({ mainPid: null, mode: 'process' });
  assert.equal(p.phase, 'main-gone');
  assert.deepEqual(flat(p.on({ kind: 'scanned', procs: [orphan], mainAlive: false })), ['103:SIGCONT']);
});

test('SIGCONT as the stop signal is not sent twice', () => {
  const m = machine({ signal: 'SIGCONT' });
  assert.deepEqual(flat(m.begin()), ['main-group:SIGCONT']);
  assert.deepEqual(flat(m.on({ kind: 'scanned', procs: all, mainAlive: true })), ['103:SIGCONT']);
});

test('a walk that may have missed processes (a child of ours exited during it) cannot end the stop', () => {
  const m = machine();
  m.begin();
  m.on({ kind: 'main-exited' });
  m.on({ kind: 'scanned', procs: [], mainAlive: false, settled: false });
  assert.equal(m.phase, 'rest-signalled');
  const missed = proc(106, { ppid: 1, pgrp: 106, session: 106 });
  assert.deepEqual(flat(m.on({ kind: 'scanned', procs: [missed], mainAlive: false })), ['106:SIGTERM', '106:SIGCONT'], 'the next walk finds it, and it hears');
  m.on({ kind: 'scanned', procs: [], mainAlive: false });
  assert.equal(m.phase, 'gone');
});
