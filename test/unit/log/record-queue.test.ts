// RecordQueue: records encoded into slabs come back byte-exact, in order, across batches.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordQueue } from '../../../src/log/record-queue.js';

void test('records come back whole and in order across slab boundaries and batches', () => {
  const queue = new RecordQueue();
  const records = Array.from({ length: 5000 }, (_, i) => `${i} ${'é€'.repeat(i % 40)}\n`);
  records.splice(1234, 0, `${'x'.repeat(200_000)}\n`);
  let out = '';
  let pushed = 0;
  for (const r of records) {
    assert.equal(queue.push(r), Buffer.byteLength(r));
    pushed += 1;
    // The writer takes a batch while more records keep arriving into the same slab.
    if (pushed % 777 === 0) {
      const batch = queue.take();
      assert.equal(queue.length, 0);
      assert.equal(queue.byteLength, 0);
      while (batch.remaining > 0) {
        const n = Math.min(batch.remaining, 3);
        let expected = 0;
        for (let i = 0; i < n; i++) expected += batch.peekSize(i) ?? 0;
        const bufs = batch.take(n);
        assert.equal(bufs.reduce((s, b) => s + b.length, 0), expected);
        out += Buffer.concat(bufs).toString('utf8');
      }
    }
  }
  const last = queue.take();
  out += Buffer.concat(last.take(last.remaining)).toString('utf8');
  assert.equal(out, records.join(''));
});

void test('a lone surrogate is encoded as U+FFFD and counted at its encoded size', () => {
  const queue = new RecordQueue();
  assert.equal(queue.push('a\uD800b\n'), 6);
  const batch = queue.take();
  assert.equal(Buffer.concat(batch.take(1)).toString('utf8'), 'a\uFFFDb\n');
});
