// ProcessTable over a fake /proc tree: tagged processes found, environ read once per process, nothing kept for processes gone.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ProcessTable } from '../../../src/os/process-table.js';
import { readEnvironValues, type Unread } from '../../../src/os/proc.js';
import { TAG_DOMAIN, TAG_INSTANCE, TAG_SERVICE } from '../../../src/os/process-tag.js';

const TAG = { instance: 'instance-1', domain: '/run/zinit.sock' };
const SELF = 1;

let root = '';
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'zinit-proc-tree-'));
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

/** A process in the fake tree; without `env` it has no environ file, as a kernel thread has none to read. */
function addProcess(pid: number, starttime: number, env?: Record<string, string>): void {
  fs.mkdirSync(path.join(root, String(pid)), { recursive: true });
  // A session and group of its own, parent 2: not in the tree of any main process the tests name.
  fs.writeFileSync(path.join(root, String(pid), 'stat'), `${pid} (p${pid}) S 2 ${pid} ${pid} 0 -1 4194560 0 0 0 0 1 1 0 0 20 0 1 0 ${starttime} 1000 10 0\n`);
  if (env) fs.writeFileSync(path.join(root, String(pid), 'environ'), Object.entries(env).map(([k, v]) => `${k}=${v}\0`).join(''));
}

function tagged(service: string): Record<string, string> {
  return { PATH: '/bin', [TAG_SERVICE]: service, [TAG_INSTANCE]: TAG.instance, [TAG_DOMAIN]: TAG.domain };
}

/** A table over the fake tree that counts environ reads per pid. */
function table(now: () => number = () => 0, readEnviron?: (pid: number) => ReadonlyMap<string, string> | Unread): { table: ProcessTable; reads: Map<number, number> } {
  const reads = new Map<number, number>();
  const t = new ProcessTable({
    tag: TAG,
    root,
    selfPid: SELF,
    // Every call walks the tree again: the tests change it between calls.
    maxAgeMs: -1,
    now,
    readEnviron: (pid) => {
      reads.set(pid, (reads.get(pid) ?? 0) + 1);
      return readEnviron ? readEnviron(pid) : readEnvironValues(pid, [TAG_SERVICE, TAG_INSTANCE, TAG_DOMAIN], root);
    },
  });
  return { table: t, reads };
}

void describe('ProcessTable', () => {
  void test('finds the processes tagged with a service by this daemon, and only those', () => {
    addProcess(100, 5000, tagged('web'));
    addProcess(101, 5001, tagged('db'));
    addProcess(102, 5002, { ...tagged('web'), [TAG_INSTANCE]: 'another-daemon' });
    addProcess(103, 5003, { PATH: '/bin' });
    const { table: t } = table();
    assert.deepEqual(
      t.find('web', null).map((p) => [p.pid, p.escaped]),
      [[100, true]],
    );
    assert.deepEqual(
      t.leftovers().map((p) => [p.pid, p.service, p.instance]),
      [[102, 'web', 'another-daemon']],
    );
  });

  void test('a process without an environ (a kernel thread) is read once for its life, not on every scan', () => {
    addProcess(2, 10);
    addProcess(100, 5000, tagged('web'));
    const { table: t, reads } = table();
    for (let i = 0; i < 20; i++) t.scan(-1);
    assert.deepEqual(Object.fromEntries(reads), { 2: 1, 100: 1 });
    // The same pid with another start time is another process: read again.
    addProcess(2, 11, tagged('web'));
    assert.deepEqual(t.find('web', null).map((p) => p.pid).sort((a, b) => a - b), [2, 100]);
    assert.equal(reads.get(2), 2);
  });

  void test('a process we may not inspect is looked at again after a second, not on every scan', () => {
    addProcess(300, 7000);
    let now = 0;
    let readable = false;
    const { table: t, reads } = table(
      () => now,
      (pid) => (readable ? new Map(Object.entries(tagged('web'))) : pid === 300 ? 'denied' : 'gone'),
    );
    for (; now < 1000; now += 100) t.scan(-1);
    assert.equal(reads.get(300), 1);
    readable = true;
    now = 999;
    assert.deepEqual(t.find('web', null), []);
    now = 1000;
    assert.deepEqual(t.find('web', null).map((p) => p.pid), [300]);
    assert.equal(reads.get(300), 2);
    for (now = 1100; now < 5000; now += 100) t.scan(-1);
    assert.equal(reads.get(300), 2, 'readable now: cached for its life');
  });

  void test('1000 processes that come and go leave nothing in the table', () => {
    addProcess(2, 10);
    addProcess(100, 5000, tagged('idle'));
    const { table: t } = table();
    t.scan(-1);
    const baseline = t.cachedTags;
    assert.equal(baseline, 2);
    for (let run = 0; run < 1000; run++) {
      // A crash loop: each run a new process of the service, gone before the next one starts.
      const pid = 1000 + (run % 50);
      addProcess(pid, 100_000 + run, tagged('crash'));
      assert.deepEqual(t.find('crash', null).map((p) => p.pid), [pid]);
      fs.rmSync(path.join(root, String(pid)), { recursive: true });
      assert.deepEqual(t.find('crash', null), []);
    }
    assert.equal(t.cachedTags, baseline);
  });
});
