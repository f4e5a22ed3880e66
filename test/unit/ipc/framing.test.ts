// Newline framing: lines across chunk boundaries, blank lines, CRLF, UTF-8, and the line-size cap.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter, encodeLine } from '../../../src/ipc/framing.js';

function collect(max: number): { splitter: LineSplitter; lines: string[]; overflows: number[] } {
  const lines: string[] = [];
  const overflows: number[] = [];
  const splitter = new LineSplitter(max, { onLine: (l) => lines.push(l), onOverflow: (m) => overflows.push(m) });
  return { splitter, lines, overflows };
}

void describe('LineSplitter', () => {
  void test('splits several lines in one chunk and joins a line split over chunks', () => {
    const { splitter, lines } = collect(1024);
    splitter.push(Buffer.from('{"a":1}\n{"b":'));
    assert.deepEqual(lines, ['{"a":1}']);
    splitter.push(Buffer.from('2}\n{"c"'));
    splitter.push(Buffer.from(':3}\n'));
    assert.deepEqual(lines, ['{"a":1}', '{"b":2}', '{"c":3}']);
    assert.equal(splitter.pendingBytes, 0);
  });

  void test('skips blank lines and strips a trailing CR', () => {
    const { splitter, lines } = collect(1024);
    splitter.push(Buffer.from('\n  \r\n{"x":1}\r\n\n'));
    assert.deepEqual(lines, ['{"x":1}']);
  });

  void test('decodes a multi-byte character split across chunks', () => {
    const { splitter, lines } = collect(1024);
    const bytes = Buffer.from('"héllo ✓"\n');
    const cut = bytes.indexOf(0xe2) + 1; // inside the three bytes of ✓
    splitter.push(bytes.subarray(0, cut));
    splitter.push(bytes.subarray(cut));
    assert.deepEqual(lines, ['"héllo ✓"']);
  });

  void test('finish() delivers a last line that has no newline', () => {
    const { splitter, lines } = collect(1024);
    splitter.push(Buffer.from('{"a":1}\n{"b":2}'));
    splitter.finish();
    assert.deepEqual(lines, ['{"a":1}', '{"b":2}']);
  });

  void test('accepts a line of exactly the cap and rejects one byte more', () => {
    const ok = collect(8);
    ok.splitter.push(Buffer.from('12345678\n'));
    assert.deepEqual(ok.lines, ['12345678']);
    assert.deepEqual(ok.overflows, []);

    const over = collect(8);
    over.splitter.push(Buffer.from('123456789\n{"after":1}\n'));
    assert.deepEqual(over.lines, []);
    assert.deepEqual(over.overflows, [8]);
    assert.equal(over.splitter.overflowed, true);
  });

  void test('reports an endless line as soon as it passes the cap and holds nothing of it', () => {
    const max = 1024 * 1024;
    const { splitter, lines, overflows } = collect(max);
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let pushed = 0;
    while (overflows.length === 0 && pushed < 4 * max) {
      splitter.push(chunk);
      pushed += chunk.length;
      assert.ok(splitter.pendingBytes <= max);
    }
    assert.deepEqual(overflows, [max]);
    assert.ok(pushed <= max + chunk.length, `overflow reported after ${pushed} bytes`);
    assert.equal(splitter.pendingBytes, 0);
    for (let i = 0; i < 16; i += 1) splitter.push(chunk);
    splitter.push(Buffer.from('\n{"late":1}\n'));
    assert.deepEqual(lines, []);
    assert.equal(overflows.length, 1);
  });

  void test('lines before the oversized one in the same chunk are still delivered', () => {
    const { splitter, lines, overflows } = collect(16);
    splitter.push(Buffer.from(`{"a":1}\n${'x'.repeat(40)}\n`));
    assert.deepEqual(lines, ['{"a":1}']);
    assert.equal(overflows.length, 1);
  });

  void test('stop() drops everything after it', () => {
    const { splitter, lines } = collect(64);
    splitter.push(Buffer.from('{"a"'));
    splitter.stop();
    splitter.push(Buffer.from(':1}\n{"b":2}\n'));
    splitter.finish();
    assert.deepEqual(lines, []);
  });

  void test('rejects a cap that is not a positive integer', () => {
    assert.throws(() => collect(0), /positive integer/);
    assert.throws(() => collect(1.5), /positive integer/);
  });
});

void describe('encodeLine', () => {
  void test('one line per message, even when strings hold newlines', () => {
    const line = encodeLine({ text: 'a\nb\r\nc' });
    assert.equal(line.indexOf('\n'), line.length - 1);
    assert.deepEqual(JSON.parse(line), { text: 'a\nb\r\nc' });
  });

  void test('refuses what JSON cannot carry', () => {
    assert.throws(() => encodeLine(undefined), TypeError);
    assert.throws(() => encodeLine({ n: 1n }), TypeError);
  });
});
