// /proc readers checked against real processes: hostile names, environment, children, zombies.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CLOCK_TICKS,
  PAGE_SIZE,
  isAlive,
  listPids,
  parseStat,
  readCmdline,
  readEnviron,
  readChildren,
  readEnvironValues,
  readOwnChildren,
  readStat,
} from '../../../src/os/proc.js';
import { waitFor } from '../../helpers/wait-for.js';

const started: ChildProcess[] = [];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'zinit-proc-'));

function start(command: string, args: string[], env?: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(command, args, { stdio: 'ignore', ...(env ? { env } : {}) });
  started.push(child);
  return child;
}

after(() => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  fs.rmSync(tmp, { recursive: true, force: true });
});

void describe('parseStat', () => {
  const tail = 'S 1 42 42 0 -1 4194560 100 0 0 0 7 3 0 0 20 0 1 0 123456 1000000 250 18446744073709551615';

  void test('splits after the last ) so a comm with spaces and parentheses survives', () => {
    const stat = parseStat(`4242 (a) b (c) ${tail}\n`);
    assert.equal(stat.pid, 4242);
    assert.equal(stat.comm, 'a) b (c');
    assert.equal(stat.state, 'S');
    assert.equal(stat.ppid, 1);
    assert.equal(stat.pgrp, 42);
    assert.equal(stat.session, 42);
    assert.equal(stat.utime, 7);
    assert.equal(stat.stime, 3);
    assert.equal(stat.starttime, 123456);
    assert.equal(stat.rssPages, 250);
    assert.equal(stat.numThreads, 1);
  });

  void test('a comm that looks like the fields after it does not shift them', () => {
    const stat = parseStat(`7 (x) R 9 9 9 0) ${tail}`);
    assert.equal(stat.comm, 'x) R 9 9 9 0');
    assert.equal(stat.ppid, 1);
  });

  void test('reads every stat line of this machine as a plain split of the fields would', () => {
    let checked = 0;
    for (const pid of listPids()) {
      let text: string;
      try {
        text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      } catch {
        continue;
      }
      const close = text.lastIndexOf(')');
      const rest = text.slice(close + 2).trimEnd().split(' ');
      const n = (i: number): number => Number(rest[i]);
      const s = parseStat(text);
      assert.deepEqual(
        [s.pid, s.comm, s.state, s.ppid, s.pgrp, s.session, s.utime, s.stime, s.starttime, s.rssPages],
        [pid, text.slice(text.indexOf('(') + 1, close), rest[0], n(1), n(2), n(3), n(11), n(12), n(19), n(21)],
      );
      checked += 1;
    }
    assert.ok(checked > 1, `${checked} stat lines read`);
  });

  void test('a field that is not a plain integer reads as NaN; a minus sign is kept', () => {
    const stat = parseStat('9 (x) S -1 4x2  0 -1 4194560 100 0 0 0 7 3 0 0 20 0 1 0 123456 1000000 250 0\n');
    assert.equal(stat.ppid, -1);
    assert.ok(Number.isNaN(stat.pgrp));
    assert.equal(stat.session, 0, 'an empty field between two spaces, as Number("") reads it');
    assert.equal(stat.starttime, 123456, 'the empty field still counts as one');
    assert.equal(stat.rssPages, 250);
  });

  void test('refuses text that is not a stat line', () => {
    assert.throws(() => parseStat('hello'), /not a \/proc\/<pid>\/stat line/);
    assert.throws(() => parseStat('1 (x) S 1 2'), /truncated/);
  });
});

void describe('readStat', () => {
  void test('reads this process', () => {
    const stat = readStat(process.pid);
    assert.ok(stat);
    assert.equal(stat.pid, process.pid);
    assert.equal(stat.ppid, process.ppid);
    assert.equal(stat.state, 'R');
    assert.ok(stat.rssPages * PAGE_SIZE > 10 * 1024 * 1024, 'node uses more than 10 MB');
  });

  void test('reads a real process whose name holds ") b ("', async () => {
    const hostile = path.join(tmp, 'a) b (c');
    fs.symlinkSync('/bin/sleep', hostile);
    const child = start(hostile, ['30']);
    const stat = await waitFor(() => {
      const s = readStat(child.pid ?? -1);
      return s?.comm === 'a) b (c' ? s : null;
    }, 5000, 'the hostile comm to appear after exec');
    assert.equal(stat.ppid, process.pid);
    assert.equal(stat.pgrp, readStat(process.pid)?.pgrp);
    assert.ok(stat.starttime >= (readStat(process.pid)?.starttime ?? Infinity));
  });

  void test('null for a pid that does not exist, and under another root', () => {
    assert.equal(readStat(0x7ffffffe), null);
    assert.equal(readStat(process.pid, tmp), null);
  });
});

void describe('listPids, readCmdline, readEnviron, readOwnChildren', () => {
  void test('see a real child', () => {
    const child = start('/bin/sleep', ['30'], { PATH: '/usr/bin:/bin', ZINIT_TEST_TAG: 'x y=z', EMPTY: '' });
    const pid = child.pid;
    assert.ok(pid);
    const pids = listPids();
    assert.ok(pids.includes(process.pid));
    assert.ok(pids.includes(pid));
    assert.ok(pids.every((p) => Number.isInteger(p) && p > 0));
    assert.ok(readOwnChildren().includes(pid));
    // Node runs several threads: every task's children file is read, as its stat says.
    const self = readStat(process.pid);
    assert.ok(self && self.numThreads > 1);
    assert.ok(readChildren(process.pid, self.numThreads)?.includes(pid));
    assert.deepEqual(readChildren(pid, 1), [], 'sleep has no children');
    assert.equal(readChildren(2 ** 22 + 1, 1), null, 'a pid that does not exist');
  });

  void test('environ of a real child, split at the first =', async () => {
    const child = start('/bin/sleep', ['30'], { PATH: '/usr/bin:/bin', ZINIT_TEST_TAG: 'x y=z', EMPTY: '' });
    const env = await waitFor(() => {
      const e = readEnviron(child.pid ?? -1);
      return e?.has('ZINIT_TEST_TAG') ? e : null;
    }, 5000, 'the child to exec with its environment');
    assert.equal(env.get('ZINIT_TEST_TAG'), 'x y=z');
    assert.equal(env.get('EMPTY'), '');
    assert.equal(env.get('PATH'), '/usr/bin:/bin');
    assert.deepEqual(readCmdline(child.pid ?? -1), ['/bin/sleep', '30']);
  });

  void test('readEnvironValues finds only whole names at the start of an entry, the last one winning as in readEnviron', () => {
    const root = path.join(tmp, 'environ-root');
    fs.mkdirSync(path.join(root, '5'), { recursive: true });
    fs.writeFileSync(path.join(root, '5', 'environ'), 'A=1\0XTAG=no\0TAG=yes\0B=TAG=inner\0C=\0TAG=last\0D=é€');
    const values = readEnvironValues(5, ['A', 'TAG', 'B', 'C', 'D', 'MISSING'], root);
    assert.ok(values instanceof Map);
    assert.deepEqual(Object.fromEntries(values), { A: '1', TAG: 'last', B: 'TAG=inner', C: '', D: 'é€' });
    const full = readEnviron(5, root);
    for (const [name, value] of values) assert.equal(full?.get(name), value, `${name} as readEnviron reads it`);
    assert.equal(readEnvironValues(0x7ffffffe, ['A']), 'gone');
  });

  void test('gone processes read as null and []', () => {
    assert.equal(readEnviron(0x7ffffffe), null);
    assert.deepEqual(readCmdline(0x7ffffffe), []);
  });
});

void describe('isAlive', () => {
  void test('a zombie is not alive, though kill(pid, 0) succeeds on it', async () => {
    // The shell leaves its background job unreaped while it blocks in read, then reaps it with wait.
    const parent = spawn('/bin/sh', ['-c', '/bin/sleep 0.05 & read -r _; wait'], { stdio: ['pipe', 'ignore', 'ignore'] });
    started.push(parent);
    const ppid = parent.pid ?? -1;
    const zombie = await waitFor(() => {
      const pid = Number(fs.readFileSync(`/proc/${ppid}/task/${ppid}/children`, 'utf8').trim().split(' ')[0]);
      return pid > 0 && readStat(pid)?.state === 'Z' ? pid : null;
    }, 5000, 'the background job to become a zombie');
    assert.equal(isAlive(zombie), false);
    assert.doesNotThrow(() => process.kill(zombie, 0));
    assert.equal(isAlive(ppid), true);
    parent.stdin?.end();
    await waitFor(() => readStat(zombie) === null, 5000, 'the shell to reap its zombie');
  });
});

void test('constants are the system\'s: CLOCK_TICKS is getconf CLK_TCK, PAGE_SIZE is getconf PAGESIZE', () => {
  assert.equal(CLOCK_TICKS, Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()));
  assert.equal(PAGE_SIZE, Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim()));
});
