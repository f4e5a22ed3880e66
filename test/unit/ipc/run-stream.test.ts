// A run's output to a client that stops reading: bounded, counted, the gap told in its place, the exit always delivered.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { RunStream } from '../../../src/ipc/run-stream.js';
import { fakeContext } from '../../helpers/fake-rpc-context.js';
import { waitFor } from '../../helpers/wait-for.js';

void describe('RunStream', () => {
  void test('a reading client gets every line in order, then the exit and the end', async () => {
    const ctx = fakeContext();
    const s = new RunStream(ctx, 7);
    for (let i = 0; i < 100; i++) s.output({ stream: 'stdout', text: `l${i}` });
    s.finish({ code: 0 });
    await waitFor(() => ctx.received.some((m) => m.params.error !== undefined), 2000, 'the end');
    const items = ctx.received.map((m) => m.params.result as { text?: string; exit?: { droppedLines: number } } | undefined);
    assert.deepEqual(items.slice(0, 100).map((i) => i?.text), Array.from({ length: 100 }, (_, i) => `l${i}`));
    assert.equal(items[100]?.exit?.droppedLines, 0);
    assert.ok(ctx.received.every((m) => m.params.subscription === 7));
  });

  void test('a stopped client costs at most the queue bound; the rest is counted and told as a gap when it reads again', async () => {
    const ctx = fakeContext({ highWaterMark: 1024 });
    ctx.reading = false;
    const bound = 64 * 1024;
    const s = new RunStream(ctx, 1, bound);
    const line = 'x'.repeat(1000);
    for (let i = 0; i < 10_000; i++) {
      s.output({ stream: 'stdout', text: line });
      if (i % 500 === 0) await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setImmediate(r));
    assert.ok(ctx.backlog <= 1024 + 2 * 1100, `socket backlog ${ctx.backlog} bounded by its high-water mark`);
    assert.ok(s.dropped > 9000, `dropped ${s.dropped}`);
    s.output({ stream: 'stderr', text: 'after the gap' });
    s.finish({ code: 3 });
    ctx.reading = true;
    ctx.drain();
    await waitFor(() => ctx.received.some((m) => m.params.error !== undefined), 5000, 'the end');
    const items = ctx.received.map((m) => m.params.result as { text?: string; gap?: { dropped: number }; exit?: { droppedLines: number; code: number } } | undefined);
    const delivered = items.filter((i) => i?.text === line).length;
    const gaps = items.filter((i) => i?.gap).map((i) => i?.gap?.dropped ?? 0);
    assert.equal(gaps.length, 1, 'one gap notice');
    assert.equal(delivered + (gaps[0] ?? 0), 10_000, 'every line delivered or counted');
    const last = items.filter((i) => i !== undefined).at(-1);
    assert.equal(last?.exit?.code, 3);
    assert.equal(last?.exit?.droppedLines, s.dropped);
    assert.ok(items.some((i) => i?.text === 'after the gap'));
  });
});
