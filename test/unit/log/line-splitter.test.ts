// LineSplitter: whole lines out of arbitrary chunks, UTF-8 safe, bounded line length.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter } from '../../../src/log/line-splitter.js';
import { DEFAULT_MAX_LINE_BYTES } from '../../../src/log/capture.js';

function split(chunks: readonly Buffer[], maxLineBytes?: number): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((l) => lines.push(l), { maxLineBytes: maxLineBytes ?? DEFAULT_MAX_LINE_BYTES });
  for (const c of chunks) splitter.push(c);
  splitter.flush();
  return lines;
}

const b = (s: string): Buffer => Buffer.from(s);

void describe('LineSplitter', () => {
  void test('joins a line split across chunks and strips CRLF', () => {
    assert.deepEqual(split([b('hello\nwor'), b('ld\r'), b('\n'), b('x')]), ['hello', 'world', 'x']);
  });

  void test('keeps empty lines and inner carriage returns', () => {
    assert.deepEqual(split([b('\n\na\rb\r\n')]), ['', '', 'a\rb']);
  });

  void test('flush emits nothing when no partial line is pending', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((l) => lines.push(l), { maxLineBytes: DEFAULT_MAX_LINE_BYTES });
    splitter.push(b('one\n'));
    splitter.flush();
    splitter.flush();
    assert.deepEqual(lines, ['one']);
  });

  void test('emits lines as soon as they are complete, before flush', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((l) => lines.push(l), { maxLineBytes: DEFAULT_MAX_LINE_BYTES });
    splitter.push(b('a\nb'));
    assert.deepEqual(lines, ['a']);
    splitter.push(b('\n'));
    assert.deepEqual(lines, ['a', 'b']);
  });

  void test('a multi-byte character split at any byte comes out whole', () => {
    const text = 'añ€😀z\nβγ\n𝄞\n';
    const bytes = b(text);
    const expected = ['añ€😀z', 'βγ', '𝄞'];
    for (let cut = 0; cut <= bytes.length; cut++) {
      assert.deepEqual(split([bytes.subarray(0, cut), bytes.subarray(cut)]), expected, `cut at ${cut}`);
    }
    const oneByteChunks = [...bytes].map((x) => Buffer.from([x]));
    assert.deepEqual(split(oneByteChunks), expected);
  });

  void test('invalid UTF-8 becomes replacement characters and capture goes on', () => {
    const bad = Buffer.from([0x61, 0xff, 0x62, 0x0a, 0xc3, 0x0a, 0xe2, 0x82, 0x0a, 0x6f, 0x6b, 0x0a]);
    const expected = ['a\uFFFDb', '\uFFFD', '\uFFFD', 'ok'];
    assert.deepEqual(split([bad]), expected);
    for (let cut = 0; cut <= bad.length; cut++) {
      assert.deepEqual(split([bad.subarray(0, cut), bad.subarray(cut)]), expected, `cut at ${cut}`);
    }
  });

  void test('a line longer than the cap comes out in pieces of at most the cap', () => {
    const line = 'x'.repeat(50);
    const pieces = split([b(`${line}\nnext\n`)], 16);
    assert.deepEqual(pieces, ['x'.repeat(16), 'x'.repeat(16), 'x'.repeat(16), 'xx', 'next']);
  });

  void test('output without newlines is emitted before the stream ends, never held whole', () => {
    const pieces: string[] = [];
    const splitter = new LineSplitter((l) => pieces.push(l), { maxLineBytes: 100 });
    for (let i = 0; i < 1000; i++) splitter.push(b('0123456789'));
    assert.ok(pieces.length >= 99, `expected pieces before flush, got ${pieces.length}`);
    assert.ok(pieces.every((p) => Buffer.byteLength(p) <= 100));
    splitter.flush();
    assert.equal(pieces.join(''), '0123456789'.repeat(1000));
  });

  void test('pieces of a long line never cut a UTF-8 character', () => {
    const line = '€'.repeat(10) + '😀'.repeat(5);
    for (const cap of [4, 5, 7, 8, 9]) {
      const pieces = split([b(line + '\n')], cap);
      assert.equal(pieces.join(''), line, `cap ${cap}`);
      for (const p of pieces) {
        assert.ok(!p.includes('\uFFFD'), `cap ${cap}: ${JSON.stringify(p)}`);
        assert.ok(Buffer.byteLength(p) <= cap);
      }
    }
  });

  void test('the default cap is 64 KiB', () => {
    assert.equal(DEFAULT_MAX_LINE_BYTES, 65536);
    const line = 'y'.repeat(200 * 1024);
    const pieces = split([b(line.slice(0, 70000)), b(line.slice(70000) + '\n')]);
    assert.deepEqual(
      pieces.map((p) => p.length),
      [65536, 65536, 65536, 200 * 1024 - 3 * 65536],
    );
    assert.equal(pieces.join(''), line);
  });

  void test('rejects a cap too small to hold a character', () => {
    assert.throws(() => new LineSplitter(() => undefined, { maxLineBytes: 3 }), /maxLineBytes/);
  });
});
