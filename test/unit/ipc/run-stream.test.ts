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

  void test('a client that stops reading first holds the command up (its output paused), and lets it go on after the pause limit', async () => {
    const ctx = fakeContext({ highWaterMark: 1024 });
    ctx.reading = false;
    const calls: string[] = [];
    const s = new RunStream(ctx, 1, { maxQueuedBytes: 16 * 1024, pauseLimitMs: 200 });
    s.useFlow({ pause: () => calls.push('pause'), resume: () => calls.push('resume') });
    const line = 'x'.repeat(1000);
    for (let i = 0; i < 40; i++) s.output({ stream: 'stdout', text: line });
    assert.deepEqual(calls, ['pause'], 'paused once the queue is full');
    assert.equal(s.dropped, 0, 'nothing dropped while the command is held up');
    await waitFor(() => calls.length === 2, 2000, 'the pause limit to let the command go on');
    assert.deepEqual(calls, ['pause', 'resume']);
    for (let i = 0; i < 40; i++) s.output({ stream: 'stdout', text: line });
    assert.equal(s.dropped, 40, 'past the limit, lines beyond the bound are dropped and counted');
    assert.deepEqual(calls, ['pause', 'resume'], 'not paused again while dropping');
    ctx.reading = true;
    ctx.drain();
    await waitFor(() => ctx.backlog === 0 && ctx.received.length > 15, 2000, 'the queue to drain');
    s.output({ stream: 'stdout', text: 'fresh' });
    s.finish({ code: 0 });
    await waitFor(() => ctx.received.some((m) => m.params.error !== undefined), 2000, 'the end');
    const items = ctx.received.map((m) => m.params.result as { text?: string; gap?: { dropped: number } } | undefined);
    assert.deepEqual(items.filter((i) => i?.gap).map((i) => i?.gap?.dropped), [40]);
    assert.ok(items.some((i) => i?.text === 'fresh'), 'a client that reads again gets new lines again');
  });

  void test('a stopped client costs at most the queue bound; the rest is counted and told as a gap when it reads again', async () => {
    const ctx = fakeContext({ highWaterMark: 1024 });
    ctx.reading = false;
    const bound = 64 * 1024;
    const s = new RunStream(ctx, 1, { maxQueuedBytes: bound });
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
