// Value framing: JSON values by their own boundaries (zinit's framing), stray lines, UTF-8, and the size and depth caps.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { JsonFramer, encodeLine } from '../../../src/ipc/framing.js';

interface Collected {
  framer: JsonFramer;
  messages: string[];
  tooLarge: number[];
  tooDeep: number[];
}

function collect(maxBytes: number, maxDepth = 64): Collected {
  const messages: string[] = [];
  const tooLarge: number[] = [];
  const tooDeep: number[] = [];
  const framer = new JsonFramer(
    { maxBytes, maxDepth },
    { onMessage: (m) => messages.push(m), onTooLarge: (m) => tooLarge.push(m), onTooDeep: (d) => tooDeep.push(d) },
  );
  return { framer, messages, tooLarge, tooDeep };
}

void describe('JsonFramer', () => {
  void test('values back to back with no newline are split at their closing bracket (as zinit clients send them)', () => {
    const { framer, messages } = collect(1024);
    framer.push(Buffer.from('{"id":1,"method":"a"}{"id":2,"method":"b"}[{"id":3}]'));
    assert.deepEqual(messages, ['{"id":1,"method":"a"}', '{"id":2,"method":"b"}', '[{"id":3}]']);
    assert.equal(framer.pendingBytes, 0);
  });

  void test('a value split over chunks, newline-terminated values, blank lines and CRLF', () => {
    const { framer, messages } = collect(1024);
    framer.push(Buffer.from('\n  \r\n{"a":1}\r\n{"b":'));
    assert.deepEqual(messages, ['{"a":1}']);
    framer.push(Buffer.from('2}\n\n{"c"'));
    framer.push(Buffer.from(':3}'));
    assert.deepEqual(messages, ['{"a":1}', '{"b":2}', '{"c":3}']);
  });

  void test('brackets and escaped quotes inside strings do not end a value', () => {
    const { framer, messages } = collect(1024);
    const tricky = '{"s":"}]{[ \\" still \\\\","t":"\\"}"}';
    framer.push(Buffer.from(`${tricky}{"n":1}`));
    assert.deepEqual(messages, [tricky, '{"n":1}']);
    assert.deepEqual(JSON.parse(messages[0] ?? ''), { s: '}]{[ " still \\', t: '"}' });
  });

  void test('anything that is not an object or array runs to the end of its line, for the parser to reject', () => {
    const { framer, messages } = collect(1024);
    framer.push(Buffer.from('hello there\r\n42\n{"ok":true}'));
    assert.deepEqual(messages, ['hello there', '42', '{"ok":true}']);
  });

  void test('decodes a multi-byte character split across chunks', () => {
    const { framer, messages } = collect(1024);
    const bytes = Buffer.from('["héllo ✓"]');
    const cut = bytes.indexOf(0xe2) + 1; // inside the three bytes of ✓
    framer.push(bytes.subarray(0, cut));
    framer.push(bytes.subarray(cut));
    assert.deepEqual(messages, ['["héllo ✓"]']);
  });

  void test('finish() hands an unfinished value to the parser', () => {
    const { framer, messages } = collect(1024);
    framer.push(Buffer.from('{"a":1}{"b":'));
    framer.finish();
    assert.deepEqual(messages, ['{"a":1}', '{"b":']);
  });

  void test('accepts a value of exactly the cap and rejects one byte more', () => {
    const fits = collect(10);
    fits.framer.push(Buffer.from('["123456"]'));
    assert.deepEqual(fits.messages, ['["123456"]']);
    assert.deepEqual(fits.tooLarge, []);

    const over = collect(9);
    over.framer.push(Buffer.from('["123456"]{"after":1}'));
    assert.deepEqual(over.messages, []);
    assert.deepEqual(over.tooLarge, [9]);
    assert.equal(over.framer.overflowed, true);
  });

  void test('reports an endless value as soon as it passes the cap and holds nothing of it', () => {
    const max = 1024 * 1024;
    const { framer, messages, tooLarge } = collect(max);
    framer.push(Buffer.from('{"x":"'));
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let pushed = 0;
    while (tooLarge.length === 0 && pushed < 4 * max) {
      framer.push(chunk);
      pushed += chunk.length;
      assert.ok(framer.pendingBytes <= max);
    }
    assert.deepEqual(tooLarge, [max]);
    assert.ok(pushed <= max + chunk.length, `overflow reported after ${pushed} bytes`);
    assert.equal(framer.pendingBytes, 0);
    framer.push(Buffer.from('"}\n{"late":1}\n'));
    assert.deepEqual(messages, []);
    assert.equal(tooLarge.length, 1);
  });

  void test('a value nested past the depth cap is skipped whole and reading goes on', () => {
    const { framer, messages, tooDeep } = collect(4 * 1024 * 1024, 64);
    const deep = `{"jsonrpc":"2.0","id":1,"method":"m","params":{"name":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`;
    framer.push(Buffer.from(`${deep}{"id":2}`));
    assert.deepEqual(tooDeep, [64]);
    assert.deepEqual(messages, ['{"id":2}']);
    assert.equal(framer.pendingBytes, 0);
  });

  void test('a value exactly at the depth cap is delivered', () => {
    const { framer, messages, tooDeep } = collect(1024, 3);
    framer.push(Buffer.from('[[[1]]][[[[1]]]]'));
    assert.deepEqual(messages, ['[[[1]]]']);
    assert.deepEqual(tooDeep, [3]);
  });

  void test('values before the oversized one in the same chunk are still delivered', () => {
    const { framer, messages, tooLarge } = collect(16);
    framer.push(Buffer.from(`{"a":1}["${'x'.repeat(40)}"]`));
    assert.deepEqual(messages, ['{"a":1}']);
    assert.equal(tooLarge.length, 1);
  });

  void test('stop() drops everything after it', () => {
    const { framer, messages } = collect(64);
    framer.push(Buffer.from('{"a"'));
    framer.stop();
    framer.push(Buffer.from(':1}\n{"b":2}\n'));
    framer.finish();
    assert.deepEqual(messages, []);
  });

  void test('rejects limits that are not positive integers', () => {
    assert.throws(() => collect(0), /`maxBytes` must be a positive integer/);
    assert.throws(() => collect(1.5), /positive integer/);
    assert.throws(() => collect(10, -1), /`maxDepth` must be a positive integer/);
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

void describe('JsonFramer resynchronisation', () => {
  void test('a value that cannot be valid ends at its line, and the next line is read afresh', () => {
    const { framer, messages } = collect(1024);
    framer.push(Buffer.from('{not json\n{"id":1}\n[1,,2]\n{"a" 1}\n{"b":2}'));
    assert.deepEqual(messages, ['{not json', '{"id":1}', '[1,,2]', '{"a" 1}', '{"b":2}']);
  });

  void test('a value may span lines, as pretty-printed JSON does', () => {
    const { framer, messages } = collect(1024);
    const pretty = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'm', params: { a: [1, true, null, -2.5e3], b: 'x' } }, null, 2);
    framer.push(Buffer.from(`${pretty}\n{"next":[]}`));
    assert.deepEqual(messages.map((m) => JSON.parse(m) as unknown), [JSON.parse(pretty), { next: [] }]);
  });

  void test('a truncated value waits for the rest, whatever arrives in how many chunks', () => {
    const { framer, messages } = collect(1024);
    const text = '{"jsonrpc":"2.0","id":7,"method":"service_status","params":["redis"]}';
    for (const ch of text) framer.push(Buffer.from(ch));
    assert.deepEqual(messages, [text]);
  });
});

void describe('JsonFramer without a depth cap (the client)', () => {
  const inputs = [
    '{"id":1,"result":[{"name":"a"},{"name":"b"}]}\n',
    '{"id":1}{"id":2}\n[{"id":3}]\n',
    '  {"a":1}  \r\n\n{"b":"x\\ny \\" }"}\n',
    '{not json\n{"id":1}\n[1,,2]\n{"a" 1}\n{"b":2}\n',
    '{"a":1} trailing\n{"b":2}\n',
    `${JSON.stringify({ a: { b: [1, { c: 'd' }] } }, null, 2)}\n{"next":[]}\n`,
    '{"half":\n',
    '"a string"\n{"x":1}\n',
  ];

  void test('gives the same messages as the byte scan, whatever the chunking', () => {
    for (const input of inputs) {
      const scanned = collect(1 << 20, 64);
      scanned.framer.push(Buffer.from(input));
      scanned.framer.finish();
      for (const size of [1, 3, input.length]) {
        const uncapped = collect(1 << 20, Infinity);
        for (let i = 0; i < input.length; i += size) uncapped.framer.push(Buffer.from(input.slice(i, i + size)));
        uncapped.framer.finish();
        assert.deepEqual(uncapped.messages, scanned.messages, `${JSON.stringify(input)} in chunks of ${size}`);
      }
    }
  });

  void test('a whole line in one chunk comes with its parsed value; a line over chunks without', () => {
    const got: { text: string; parsed: { value: unknown } | undefined }[] = [];
    const framer = new JsonFramer({ maxBytes: 1024, maxDepth: Infinity }, { onMessage: (text, parsed) => got.push({ text, parsed }), onTooLarge: () => undefined, onTooDeep: () => undefined });
    framer.push(Buffer.from('{"id":1,"result":[1,2]}\n{"id":2,'));
    framer.push(Buffer.from('"result":null}\n'));
    assert.deepEqual(got, [
      { text: '{"id":1,"result":[1,2]}', parsed: { value: { id: 1, result: [1, 2] } } },
      { text: '{"id":2,"result":null}', parsed: undefined },
    ]);
  });

  void test('a line over the size cap is refused as before', () => {
    const { framer, messages, tooLarge } = collect(16, Infinity);
    framer.push(Buffer.from(`${JSON.stringify({ text: 'x'.repeat(64) })}\n`));
    assert.deepEqual(messages, []);
    assert.deepEqual(tooLarge, [16]);
  });
});
