// FileSink: timestamped lines on disk, size-based rotation without loss, failures reported once.

import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileSink, type FileSinkReopen } from '../../../src/os/log-file-sink.js';
import { waitFor } from '../../helpers/wait-for.js';

const T0 = Date.parse('2026-11-21T23:18:12.345Z');
const ISO0 = '2026-11-21T23:18:12.345Z';

let dir = '';
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zinit-log-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Contents of path.N … path.1, path: oldest first. */
function readAll(file: string): { names: string[]; lines: string[] } {
  const base = path.basename(file);
  const names = fs
    .readdirSync(path.dirname(file))
    .filter((n) => n === base || n.startsWith(`${base}.`))
    .sort((x, y) => suffix(y) - suffix(x));
  const lines = names.flatMap((n) =>
    fs.readFileSync(path.join(path.dirname(file), n), 'utf8').split('\n').filter((l) => l !== ''),
  );
  return { names, lines };
}
const suffix = (name: string): number => Number(/\.(\d+)$/.exec(name)?.[1] ?? 0);

void describe('FileSink', () => {
  void test('appends `<ISO ts> <stream>: <text>` lines, creating the parent directory', async () => {
    const file = path.join(dir, 'nested', 'deeper', 'web.log');
    const sink = new FileSink({ path: file, maxSize: 1 << 20, maxFiles: 2, now: () => T0 });
    sink.write('stdout', 'hello');
    sink.write('stderr', 'wörld €');
    sink.write('stdout', 'explicit time', T0 + 1000);
    await sink.close();
    assert.equal(
      fs.readFileSync(file, 'utf8'),
      `${ISO0} stdout: hello\n${ISO0} stderr: wörld €\n2026-11-21T23:18:13.345Z stdout: explicit time\n`,
    );
  });

  void test('rotation keeps exactly maxFiles files, none over maxSize, no line lost or reordered', async () => {
    const file = path.join(dir, 'svc.log');
    const maxSize = 300;
    const sink = new FileSink({ path: file, maxSize, maxFiles: 3, now: () => T0 });
    const total = 1000;
    for (let i = 0; i < total; i++) {
      sink.write('stdout', `line ${i}`);
      // Part of the output arrives while earlier writes are on their way to disk.
      if (i % 97 === 0) await new Promise((r) => setImmediate(r));
    }
    await sink.close();
    const { names, lines } = readAll(file);
    assert.deepEqual(names, ['svc.log.3', 'svc.log.2', 'svc.log.1', 'svc.log']);
    for (const n of names) {
      const size = fs.statSync(path.join(dir, n)).size;
      assert.ok(size <= maxSize, `${n} is ${size} bytes`);
      const longest = Buffer.byteLength(`${ISO0} stdout: line ${total - 1}\n`);
      if (n !== 'svc.log') assert.ok(size > maxSize - longest, `${n} was rotated early at ${size} bytes`);
    }
    const numbers = lines.map((l) => Number(/line (\d+)$/.exec(l)?.[1]));
    assert.equal(numbers[numbers.length - 1], total - 1);
    numbers.forEach((n, i) => assert.equal(n, (numbers[0] ?? 0) + i, 'consecutive across rotations'));
  });

  void test('with enough rotated files kept, every line is there in order', async () => {
    const file = path.join(dir, 'all.log');
    const sink = new FileSink({ path: file, maxSize: 256, maxFiles: 100, now: () => T0 });
    for (let i = 0; i < 500; i++) sink.write(i % 2 === 0 ? 'stdout' : 'stderr', `n=${i}`);
    await sink.close();
    const { names, lines } = readAll(file);
    assert.ok(names.length > 50 && names.length <= 101, `${names.length} files`);
    assert.deepEqual(
      lines.map((l) => Number(/n=(\d+)$/.exec(l)?.[1])),
      Array.from({ length: 500 }, (_, i) => i),
    );
  });

  void test('rotated files beyond maxFiles, left by a larger earlier setting, are deleted', async () => {
    const file = path.join(dir, 'svc.log');
    for (const n of [1, 2, 5, 9]) fs.writeFileSync(`${file}.${n}`, `old ${n}\n`);
    fs.writeFileSync(`${file}.bak`, 'not ours\n');
    fs.writeFileSync(file, 'x'.repeat(95) + '\n');
    const sink = new FileSink({ path: file, maxSize: 100, maxFiles: 3, now: () => T0 });
    sink.write('stdout', 'new');
    await sink.close();
    assert.deepEqual(fs.readdirSync(dir).sort(), ['svc.log', 'svc.log.1', 'svc.log.2', 'svc.log.3', 'svc.log.bak']);
    assert.equal(fs.readFileSync(`${file}.1`, 'utf8'), 'x'.repeat(95) + '\n');
    assert.equal(fs.readFileSync(`${file}.2`, 'utf8'), 'old 1\n');
    assert.equal(fs.readFileSync(`${file}.3`, 'utf8'), 'old 2\n');
    assert.deepEqual(sink.stats(), { written: 1, dropped: 0, rotations: 1 });
  });

  void test('output beyond the pending buffer is dropped, counted and noted in the file', async () => {
    const file = path.join(dir, 'slow.log');
    const sink = new FileSink({ path: file, maxSize: 1 << 20, maxFiles: 1, now: () => T0, maxPendingBytes: 200 });
    // All written in one tick: the disk cannot have taken any of it yet.
    for (let i = 0; i < 20; i++) sink.write('stdout', `line ${i}`);
    await sink.flushed();
    sink.write('stdout', 'later');
    await sink.close();
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
    const kept = lines.filter((l) => / stdout: line \d+$/.test(l)).length;
    assert.ok(kept > 0 && kept < 20, `kept ${kept}`);
    assert.equal(lines[lines.length - 2], `${ISO0} zinit: ${20 - kept} lines dropped (log file unwritable or too slow)`);
    assert.equal(lines[lines.length - 1], `${ISO0} stdout: later`);
    assert.deepEqual(sink.stats(), { written: kept + 2, dropped: 20 - kept, rotations: 0 });
  });

  void test('maxFiles 0 keeps only the live file', async () => {
    const file = path.join(dir, 'only.log');
    const sink = new FileSink({ path: file, maxSize: 100, maxFiles: 0, now: () => T0 });
    for (let i = 0; i < 50; i++) sink.write('stdout', `x${i}`);
    await sink.close();
    assert.deepEqual(fs.readdirSync(dir), ['only.log']);
    assert.match(fs.readFileSync(file, 'utf8'), /stdout: x49\n$/);
  });

  void test('an existing file counts toward maxSize', async () => {
    const file = path.join(dir, 'old.log');
    fs.writeFileSync(file, 'p'.repeat(90) + '\n');
    const sink = new FileSink({ path: file, maxSize: 100, maxFiles: 2, now: () => T0 });
    sink.write('stdout', 'new');
    await sink.close();
    assert.equal(fs.readFileSync(`${file}.1`, 'utf8'), 'p'.repeat(90) + '\n');
    assert.equal(fs.readFileSync(file, 'utf8'), `${ISO0} stdout: new\n`);
  });

  void test('a line longer than a whole file gets a file of its own, cut to maxSize', async () => {
    const file = path.join(dir, 'big.log');
    const sink = new FileSink({ path: file, maxSize: 64, maxFiles: 5, now: () => T0 });
    sink.write('stdout', 'a');
    sink.write('stdout', '€'.repeat(100));
    sink.write('stdout', 'b');
    await sink.close();
    const big = fs.readFileSync(`${file}.1`);
    assert.ok(big.length <= 64);
    assert.ok(!big.toString('utf8').includes('\uFFFD'), 'cut on a character boundary');
    assert.match(big.toString('utf8'), /^2026-11-21T23:18:12\.345Z stdout: €+\n$/);
    assert.equal(fs.readFileSync(`${file}.2`, 'utf8'), `${ISO0} stdout: a\n`);
    assert.equal(fs.readFileSync(file, 'utf8'), `${ISO0} stdout: b\n`);
  });

  void test('an unwritable file is reported once, never thrown, and writing resumes after recovery', async () => {
    const blocker = path.join(dir, 'not-a-dir');
    fs.writeFileSync(blocker, '');
    const file = path.join(blocker, 'svc.log');
    let now = T0;
    const errors: Error[] = [];
    const sink = new FileSink({ path: file, maxSize: 1000, maxFiles: 1, now: () => now, onError: (e) => errors.push(e) });
    for (let i = 0; i < 20; i++) {
      sink.write('stdout', `lost ${i}`);
      await sink.flushed();
    }
    assert.equal(errors.length, 1);
    assert.match(errors[0]?.message ?? '', /ENOTDIR|EEXIST/);

    fs.rmSync(blocker);
    now += 1000;
    sink.write('stdout', 'still dropped: too soon to retry');
    await sink.flushed();
    assert.equal(fs.existsSync(file), false);

    now += 5000;
    sink.write('stdout', 'back');
    await sink.close();
    assert.equal(errors.length, 1);
    assert.equal(
      fs.readFileSync(file, 'utf8'),
      `${new Date(now).toISOString()} zinit: 21 lines dropped (log file unwritable or too slow)\n` +
        `${new Date(now).toISOString()} stdout: back\n`,
    );
  });

  void test('a throwing onError does not escape', async () => {
    const blocker = path.join(dir, 'file');
    fs.writeFileSync(blocker, '');
    let called = 0;
    const sink = new FileSink({
      path: path.join(blocker, 'x.log'),
      maxSize: 100,
      maxFiles: 1,
      onError: () => {
        called += 1;
        throw new Error('reporter broke');
      },
    });
    sink.write('stdout', 'x');
    await waitFor(() => called === 1, 2000, 'onError');
    await sink.close();
  });

  void test('close writes what is queued; later writes are ignored', async () => {
    const file = path.join(dir, 'c.log');
    const sink = new FileSink({ path: file, maxSize: 1000, maxFiles: 1, now: () => T0 });
    sink.write('stdout', 'before');
    const closing = sink.close();
    sink.write('stdout', 'after');
    await closing;
    await sink.close();
    assert.equal(fs.readFileSync(file, 'utf8'), `${ISO0} stdout: before\n`);
  });

  void describe('a file removed or replaced under the sink', () => {
    const line = (now: number, text: string): string => `${new Date(now).toISOString()} stdout: ${text}\n`;
    function open(file: string, maxSize = 1 << 20): { sink: FileSink; events: FileSinkReopen[]; now: () => number; advance: (ms: number) => void } {
      let now = T0;
      const events: FileSinkReopen[] = [];
      const sink = new FileSink({ path: file, maxSize, maxFiles: 3, now: () => now, onReopen: (e) => events.push(e) });
      return { sink, events, now: () => now, advance: (ms) => void (now += ms) };
    }

    void test('deleted: the path is opened again and the reopen told once', async () => {
      const file = path.join(dir, 'svc.log');
      const { sink, events, now, advance } = open(file);
      sink.write('stdout', 'before');
      await sink.flushed();
      fs.rmSync(file);
      advance(1000);
      sink.write('stdout', 'after 1');
      await sink.flushed();
      sink.write('stdout', 'after 2');
      await sink.close();
      assert.equal(fs.readFileSync(file, 'utf8'), line(now(), 'after 1') + line(now(), 'after 2'));
      assert.deepEqual(events, [{ path: file, reason: 'removed', createdDir: null }]);
    });

    void test('renamed away: the old name keeps what it had, new lines go to a new file at the path', async () => {
      const file = path.join(dir, 'svc.log');
      const { sink, events, now, advance } = open(file);
      sink.write('stdout', 'old');
      await sink.flushed();
      fs.renameSync(file, `${file}.moved`);
      advance(1500);
      sink.write('stdout', 'new');
      await sink.close();
      assert.equal(fs.readFileSync(`${file}.moved`, 'utf8'), line(T0, 'old'));
      assert.equal(fs.readFileSync(file, 'utf8'), line(now(), 'new'));
      assert.deepEqual(events, [{ path: file, reason: 'removed', createdDir: null }]);
    });

    void test('replaced by another file: lines are appended to the file now at the path', async () => {
      const file = path.join(dir, 'svc.log');
      const { sink, events, now, advance } = open(file);
      sink.write('stdout', 'first');
      await sink.flushed();
      fs.writeFileSync(`${file}.tmp`, 'someone else\n');
      fs.renameSync(`${file}.tmp`, file);
      advance(1000);
      sink.write('stdout', 'second');
      await sink.close();
      assert.equal(fs.readFileSync(file, 'utf8'), 'someone else\n' + line(now(), 'second'));
      assert.deepEqual(events, [{ path: file, reason: 'replaced', createdDir: null }]);
    });

    void test('its directory removed: the directory is created again, and rotation works there', async () => {
      const logDir = path.join(dir, 'logs', 'svc');
      const file = path.join(logDir, 'svc.log');
      const { sink, events, advance } = open(file, 200);
      for (let i = 0; i < 6; i++) sink.write('stdout', `old ${i}`);
      await sink.flushed();
      assert.ok(fs.existsSync(`${file}.1`), 'rotated before the removal');
      fs.rmSync(path.join(dir, 'logs'), { recursive: true });
      advance(1000);
      for (let i = 0; i < 6; i++) sink.write('stdout', `new ${i}`);
      await sink.close();
      assert.deepEqual(events, [{ path: file, reason: 'removed', createdDir: path.join(dir, 'logs') }]);
      const { names, lines } = readAll(file);
      assert.deepEqual(names, ['svc.log.1', 'svc.log']);
      assert.deepEqual(lines.map((l) => l.replace(/^\S+ stdout: /, '')), ['new 0', 'new 1', 'new 2', 'new 3', 'new 4', 'new 5']);
      assert.equal(sink.stats().dropped, 0);
    });

    void test('the path is checked at most once per checkEveryMs, and a file left in place is never reopened', async () => {
      const file = path.join(dir, 'svc.log');
      const { sink, events, now, advance } = open(file);
      for (let i = 0; i < 5; i++) {
        advance(1000);
        sink.write('stdout', `steady ${i}`);
        await sink.flushed();
      }
      assert.deepEqual(events, []);
      fs.rmSync(file);
      advance(999);
      // Within the interval the open file still takes the lines: the path is not looked at.
      sink.write('stdout', 'into the deleted file');
      await sink.flushed();
      assert.equal(fs.existsSync(file), false);
      advance(1);
      sink.write('stdout', 'back');
      await sink.flushed();
      advance(5000);
      sink.write('stdout', 'still here');
      await sink.close();
      assert.equal(fs.readFileSync(file, 'utf8'), line(now() - 5000, 'back') + line(now(), 'still here'));
      assert.equal(events.length, 1);
    });

    void test('a throwing onReopen does not stop the writing', async () => {
      const file = path.join(dir, 'svc.log');
      let now = T0;
      const sink = new FileSink({
        path: file,
        maxSize: 1000,
        maxFiles: 1,
        now: () => now,
        onReopen: () => {
          throw new Error('reporter broke');
        },
      });
      sink.write('stdout', 'a');
      await sink.flushed();
      fs.rmSync(file);
      now += 1000;
      sink.write('stdout', 'b');
      await sink.close();
      assert.equal(fs.readFileSync(file, 'utf8'), line(now, 'b'));
    });
  });

  void test('rejects sizes that make no sense', () => {
    assert.throws(() => new FileSink({ path: '/tmp/x', maxSize: 0, maxFiles: 1 }), /maxSize/);
    assert.throws(() => new FileSink({ path: '/tmp/x', maxSize: 10, maxFiles: -1 }), /maxFiles/);
  });
});
