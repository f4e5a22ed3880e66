// The process table over a fake /proc: a subtree walk finds our processes and escapees, and reads environments only where the tree cannot place a process.
import { test, after, mock } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ProcessTable } from '../../../src/os/process-table.js';
import { TAG_SOCKET, TAG_INSTANCE, TAG_SERVICE } from '../../../src/os/process-tag.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const SELF = 10;
const INSTANCE = 'inst-1';
const DOMAIN = '/run/test.sock';

interface FakeProc {
  readonly pid: number;
  readonly ppid: number;
  readonly pgrp?: number;
  readonly session?: number;
  readonly state?: string;
  /** Children per thread id; one entry per thread. */
  readonly tasks?: Record<number, number[]>;
  /** The service tag in its environment; null: no environ file (unreadable); undefined: an environment without tag. */
  readonly tag?: string | null | undefined;
}

function fakeProc(procs: readonly FakeProc[]): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'zinit-fake-proc-'));
  dirs.push(root);
  for (const p of procs) {
    const dir = path.join(root, String(p.pid));
    const tasks = p.tasks ?? { [p.pid]: procs.filter((c) => c.ppid === p.pid).map((c) => c.pid) };
    const threads = Object.keys(tasks).length;
    fs.mkdirSync(dir);
    const rest = [p.state ?? 'S', p.ppid, p.pgrp ?? p.pid, p.session ?? p.pid, 0, -1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 20, 0, threads, 0, 1000 + p.pid, 1, 1];
    fs.writeFileSync(path.join(dir, 'stat'), `${p.pid} (p${p.pid}) ${rest.join(' ')}\n`);
    for (const [tid, kids] of Object.entries(tasks)) {
      fs.mkdirSync(path.join(dir, 'task', tid), { recursive: true });
      fs.writeFileSync(path.join(dir, 'task', tid, 'children'), kids.map((k) => `${k} `).join(''));
    }
    if (p.tag !== null) {
      const env = p.tag === undefined ? ['PATH=/bin'] : [`${TAG_SERVICE}=${p.tag}`, `${TAG_INSTANCE}=${INSTANCE}`, `${TAG_SOCKET}=${DOMAIN}`];
      fs.writeFileSync(path.join(dir, 'environ'), `${env.join('\0')}\0`);
    }
  }
  return root;
}

function table(root: string, scope: 'subtree' | 'host'): ProcessTable {
  return new ProcessTable({ tag: { instance: INSTANCE, domain: DOMAIN }, root, selfPid: SELF, scope, maxAgeMs: -1 });
}

const pids = (ps: readonly { pid: number }[]): number[] => ps.map((p) => p.pid).sort((a, b) => a - b);

// 10 is us. 20 is web's main process; 21 its child, 22 a grandchild in a session of its own (both without a
// readable environment); 30 an escapee of web adopted by us, 31 its child without a tag; 40 db's main process,
// with 41 whose environment says web; 50 a host process tagged web that is not ours (parent 1).
const HOST: FakeProc[] = [
  { pid: 1, ppid: 0, tag: undefined, tasks: { 1: [SELF, 50] } },
  { pid: SELF, ppid: 1, tag: undefined, tasks: { [SELF]: [20], 11: [30, 40] } },
  { pid: 20, ppid: SELF, tag: 'web' },
  { pid: 21, ppid: 20, pgrp: 20, session: 20, tag: null },
  { pid: 22, ppid: 21, tag: null },
  { pid: 30, ppid: SELF, tag: 'web' },
  { pid: 31, ppid: 30, pgrp: 30, session: 30, tag: undefined },
  { pid: 40, ppid: SELF, tag: 'db' },
  { pid: 41, ppid: 40, pgrp: 40, session: 40, tag: 'web' },
  { pid: 50, ppid: 1, tag: 'web' },
];

test('a subtree walk finds the main tree, escapees adopted by us and their children; never the host', () => {
  const t = table(fakeProc(HOST), 'subtree');
  assert.deepEqual(pids(t.find('web', 20)), [20, 21, 22, 30, 31]);
  const found = new Map(t.find('web', 20).map((p) => [p.pid, p]));
  assert.equal(found.get(22)?.underMain, true);
  assert.equal(found.get(22)?.escaped, false, 'in its own session, but under the main process');
  assert.equal(found.get(30)?.escaped, true);
  assert.equal(found.get(31)?.underMain, false);
  assert.deepEqual(pids(t.find('db', 40)), [40, 41], 'a process is placed by the tree it is in, before its own tag');
  assert.deepEqual(pids(t.ours()), [20, 21, 22, 30, 31, 40, 41]);
});

test('without the main pid (after its exit) the tag of the adopted process places its whole subtree', () => {
  const t = table(fakeProc(HOST), 'subtree');
  assert.deepEqual(pids(t.find('web', null)), [20, 21, 22, 30, 31]);
});

test('only the environments of our direct children are read in a subtree walk', () => {
  const root = fakeProc(HOST);
  // Environments that cannot be read (a process of another user, say) do not matter below a tagged direct child.
  for (const pid of [31, 41, 50]) fs.rmSync(path.join(root, String(pid), 'environ'));
  const t = table(root, 'subtree');
  assert.deepEqual(pids(t.find('web', null)), [20, 21, 22, 30, 31]);
  assert.deepEqual(pids(t.find('db', null)), [40, 41]);
});

test('negative control: a host walk reads every environment, and finds the host process tagged web', () => {
  const t = table(fakeProc(HOST), 'host');
  assert.ok(pids(t.find('web', 20)).includes(50), 'the host walk sees the whole of /proc');
  assert.ok(!pids(table(fakeProc(HOST), 'subtree').find('web', 20)).includes(50));
});

test('children of every thread are followed; zombies are not processes', () => {
  const root = fakeProc([
    { pid: SELF, ppid: 1, tag: undefined, tasks: { [SELF]: [60] } },
    { pid: 60, ppid: SELF, tag: 'app', tasks: { 60: [61], 62: [63] } },
    { pid: 61, ppid: 60, pgrp: 60, session: 60, tag: 'app' },
    { pid: 63, ppid: 60, pgrp: 60, session: 60, tag: 'app', state: 'Z' },
  ]);
  assert.deepEqual(pids(table(root, 'subtree').find('app', 60)), [60, 61]);
  fs.writeFileSync(path.join(root, '63', 'stat'), fs.readFileSync(path.join(root, '63', 'stat'), 'utf8').replace(' Z ', ' S '));
  assert.deepEqual(pids(table(root, 'subtree').find('app', 60)), [60, 61, 63], 'forked by the second thread');
});

test('a walk that meets a child of ours freshly exited is unsettled (its orphans may be missing); the next one is not', async () => {
  const root = fakeProc([
    { pid: SELF, ppid: 1, tag: undefined, tasks: { [SELF]: [70, 80] } },
    { pid: 70, ppid: SELF, tag: 'app', state: 'Z', tasks: { 70: [] } },
    { pid: 80, ppid: SELF, tag: 'other' },
  ]);
  const t = table(root, 'subtree');
  assert.deepEqual(await t.lookFresh('app', null), { procs: [], settled: false });
  assert.equal((await t.lookFresh('app', null)).settled, true, 'dead at the last walk: it handed its children over before this one');
  assert.equal(table(root, 'host').scan(-1).settled, true, 'a walk of every pid cannot miss a reparented one');
});

/** Another process now holds `pid`: the same stat but for its start time (field 22). */
function reuse(root: string, pid: number, startTime: number): void {
  const file = path.join(root, String(pid), 'stat');
  const text = fs.readFileSync(file, 'utf8');
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).trim().split(' ');
  // fields[0] is field 3 (state), so field 22 is fields[19].
  fields[19] = String(startTime);
  fs.writeFileSync(file, `${text.slice(0, close + 2)}${fields.join(' ')}\n`);
}

/** process.kill observed, never called for real: the pids of the fake /proc are not ours. */
function observeKill(): { pid: number; signal: unknown }[] {
  const sent: { pid: number; signal: unknown }[] = [];
  mock.method(process, 'kill', (pid: number, signal?: string | number) => {
    sent.push({ pid, signal });
    return true;
  });
  return sent;
}

test('signal() skips a tracked pid now held by a process with another start time, and signals one that is still the same', (t) => {
  t.after(() => mock.restoreAll());
  const root = fakeProc(HOST);
  const tb = table(root, 'subtree');
  const tracked = tb.find('web', 20);
  const byPid = new Map(tracked.map((p) => [p.pid, p]));
  assert.equal(byPid.get(21)?.startTime, 1021, 'the start time is read from field 22');
  reuse(root, 21, 5021);
  const sent = observeKill();
  const n = tb.signal(tracked, 'SIGTERM');
  assert.ok(!sent.some((s) => s.pid === 21), 'the reused pid is never signalled');
  assert.deepEqual(sent.map((s) => s.pid).sort((a, b) => a - b), [20, 22, 30, 31]);
  assert.ok(sent.every((s) => s.signal === 'SIGTERM'));
  assert.equal(n, 4, 'the count leaves out the skipped pid');
});

test('signal() skips a tracked pid that has no /proc entry any more', (t) => {
  t.after(() => mock.restoreAll());
  const root = fakeProc(HOST);
  const tb = table(root, 'subtree');
  const tracked = tb.find('db', 40);
  fs.rmSync(path.join(root, '41'), { recursive: true });
  const sent = observeKill();
  assert.equal(tb.signal(tracked, 'SIGKILL'), 1);
  assert.deepEqual(sent, [{ pid: 40, signal: 'SIGKILL' }]);
});

test('alive() drops a tracked pid reused by another start time, a vanished one and a zombie; keeps the same process', () => {
  const root = fakeProc(HOST);
  const tb = table(root, 'subtree');
  const tracked = tb.find('web', 20);
  assert.deepEqual(pids(tb.alive(tracked)), [20, 21, 22, 30, 31]);
  reuse(root, 21, 5021);
  fs.rmSync(path.join(root, '22'), { recursive: true });
  const stat30 = path.join(root, '30', 'stat');
  fs.writeFileSync(stat30, fs.readFileSync(stat30, 'utf8').replace(') S ', ') Z '));
  assert.deepEqual(pids(tb.alive(tracked)), [20, 31]);
  reuse(root, 21, 1021);
  assert.deepEqual(pids(tb.alive(tracked)), [20, 21, 31], 'the same start time again: the same process');
});
