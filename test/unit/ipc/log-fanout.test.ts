// Log followers: each gets every line in order while it reads, a paused one costs only its high-water mark and is told its gap, a stalled one is dropped.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { LogStore } from '../../../src/log/log-store.js';
import { LogFanout } from '../../../src/ipc/log-fanout.js';
import { fakeContext } from '../../helpers/fake-rpc-context.js';
import { waitFor } from '../../helpers/wait-for.js';

const texts = (ctx: ReturnType<typeof fakeContext>): string[] => ctx.received.map((m) => String(m.params.result));

void describe('LogFanout', () => {
  void test('a follower that reads gets every new line of its service, in order, and nothing of others', async () => {
    const logs = new LogStore({ capacityPerService: 10_000 });
    const fanout = new LogFanout(logs);
    const ctx = fakeContext();
    fanout.follow(ctx, 'a', false, 'zinit-ts');
    for (let i = 0; i < 3000; i++) {
      logs.append('a', 'stdout', `a${i}`);
      logs.append('b', 'stdout', `b${i}`);
    }
    await waitFor(() => ctx.received.length === 3000, 5000, '3000 lines');
    const got = texts(ctx);
    assert.ok(got.every((t, i) => t.endsWith(`[a] stdout: a${i}`)), 'in order, only service a');
  });

  void test('subscribing and unsubscribing again and again on one connection leaves no listener on it', () => {
    const fanout = new LogFanout(new LogStore({ capacityPerService: 10 }));
    const ctx = fakeContext();
    const before = getEventListeners(ctx.signal, 'abort').length;
    for (let i = 0; i < 1000; i++) assert.equal(fanout.unfollow(ctx, fanout.follow(ctx, 'a', false, 'zinit')), true);
    assert.equal(getEventListeners(ctx.signal, 'abort').length, before);
    assert.equal(ctx.openStreams, 0);
    assert.equal(fanout.size, 0);
  });

  void test('history sends the retained lines first without a missed notice for what was evicted before it came', async () => {
    const logs = new LogStore({ capacityPerService: 5 });
    for (let i = 0; i < 20; i++) logs.append('a', 'stdout', `old${i}`);
    const fanout = new LogFanout(logs);
    const ctx = fakeContext();
    fanout.follow(ctx, 'a', true, 'zinit-ts');
    await waitFor(() => ctx.received.length === 5, 2000, 'the 5 retained lines');
    assert.deepEqual(texts(ctx).map((t) => t.split(': ')[1]), ['old15', 'old16', 'old17', 'old18', 'old19']);
  });

  void test('a follower that stops reading is paused at its high-water mark, then told exactly how many lines it missed', async () => {
    const logs = new LogStore({ capacityPerService: 100 });
    const fanout = new LogFanout(logs, { stallLimitMs: 60_000 });
    const ctx = fakeContext({ highWaterMark: 4096 });
    fanout.follow(ctx, 'a', false, 'zinit-ts');
    ctx.reading = false;
    for (let i = 0; i < 10_000; i++) {
      logs.append('a', 'stdout', `line ${i}`);
      if (i % 100 === 0) await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setImmediate(r));
    assert.ok(ctx.backlog <= 4096 + 512 * 120, `backlog ${ctx.backlog} stays near the high-water mark`);
    ctx.reading = true;
    ctx.drain();
    await waitFor(() => texts(ctx).some((t) => t.includes('missed')), 2000, 'the missed notice');
    await waitFor(() => texts(ctx).at(-1)?.endsWith('line 9999'), 2000, 'the newest line');
    const got = texts(ctx);
    const notice = got.find((t) => t.includes('missed')) ?? '';
    const missed = Number(/-- (\d+) line\(s\) missed/.exec(notice)?.[1]);
    const lines = got.filter((t) => !t.includes('missed')).length;
    assert.equal(lines + missed, 10_000, `every line is either delivered (${lines}) or counted as missed (${missed})`);
  });

  void test('a follower stalled past the limit while lines keep coming is dropped and its stream released', async () => {
    let now = 0;
    const logs = new LogStore({ capacityPerService: 100 });
    const fanout = new LogFanout(logs, { stallLimitMs: 1000, now: () => now });
    const ctx = fakeContext({ highWaterMark: 256 });
    fanout.follow(ctx, null, false, 'zinit-ts');
    ctx.reading = false;
    assert.equal(ctx.openStreams, 1);
    for (let i = 0; i < 50; i++) {
      logs.append('a', 'stdout', 'x'.repeat(100));
      now += 100;
      await new Promise((r) => setImmediate(r));
    }
    assert.equal(ctx.dropped.length, 1, 'dropped once');
    assert.equal(fanout.size, 0);
    assert.equal(ctx.openStreams, 0);
    assert.equal(fanout.droppedCount, 1);
  });

  void test('one pass sends at most its budget of lines, so the event loop turns between passes', async () => {
    const logs = new LogStore({ capacityPerService: 100_000 });
    const fanout = new LogFanout(logs, { linesPerPass: 1000, linesPerFollower: 1000 });
    const followers = Array.from({ length: 10 }, () => fakeContext({ highWaterMark: 1 << 30 }));
    for (const f of followers) fanout.follow(f, 'a', false, 'zinit-ts');
    for (let i = 0; i < 5000; i++) logs.append('a', 'stdout', `l${i}`);
    let turns = 0;
    const total = (): number => followers.reduce((n, f) => n + f.received.length, 0);
    const deadline = Date.now() + 10_000;
    while (total() < 50_000 && Date.now() < deadline) {
      await new Promise((r) => setImmediate(r));
      turns += 1;
      assert.ok(total() <= turns * 1000, `after ${turns} turns at most ${turns * 1000} lines were sent, got ${total()}`);
    }
    assert.equal(total(), 50_000);
  });

  void test('a client that leaves is forgotten, and the store listener goes with the last follower', async () => {
    const logs = new LogStore({ capacityPerService: 10 });
    const fanout = new LogFanout(logs);
    const a = fakeContext();
    const b = fakeContext();
    fanout.follow(a, null, false, 'zinit-ts');
    fanout.follow(b, null, false, 'zinit-ts');
    a.abort();
    logs.append('s', 'stdout', 'after a left');
    await waitFor(() => b.received.length === 1, 2000, 'b gets the line');
    assert.equal(a.received.length, 0);
    assert.equal(fanout.size, 1);
    assert.equal(a.openStreams, 0);
    b.abort();
    assert.equal(fanout.size, 0);
  });

  void test('the follower cap answers TOO_MANY_STREAMS', () => {
    const fanout = new LogFanout(new LogStore({ capacityPerService: 10 }), { maxFollowers: 2 });
    fanout.follow(fakeContext(), null, false, 'zinit-ts');
    fanout.follow(fakeContext(), null, false, 'zinit-ts');
    assert.throws(() => fanout.follow(fakeContext(), null, false, 'zinit-ts'), { code: -32053 });
  });

  void test('zinit\'s form: [+]/[-] lines with the spawn mark; zinit-ts\'s form skips the mark; one follower of each from one store', async () => {
    const logs = new LogStore({ capacityPerService: 10 });
    logs.markStart('web');
    logs.append('web', 'stdout', 'up');
    logs.append('web', 'stderr', 'warn');
    const fanout = new LogFanout(logs);
    const z = fakeContext();
    const ts = fakeContext();
    fanout.follow(z, 'web', true, 'zinit');
    fanout.follow(ts, 'web', true, 'zinit-ts');
    await waitFor(() => z.received.length === 3 && ts.received.length === 2, 2000, 'the retained lines to both');
    assert.deepEqual(texts(z), ['[-] web: ------------ [start] ------------', '[+] web: up', '[-] web: warn']);
    assert.match(texts(ts)[0] ?? '', /Z \[web\] stdout: up$/);
    assert.match(texts(ts)[1] ?? '', /Z \[web\] stderr: warn$/);
  });

  void test('in zinit\'s form a follower that fell behind is told in zinit\'s words', async () => {
    const logs = new LogStore({ capacityPerService: 10 });
    const fanout = new LogFanout(logs, { stallLimitMs: 60_000 });
    const ctx = fakeContext({ highWaterMark: 64 });
    fanout.follow(ctx, 'a', false, 'zinit');
    ctx.reading = false;
    for (let i = 0; i < 100; i++) {
      logs.append('a', 'stdout', `line ${i}`);
      await new Promise((r) => setImmediate(r));
    }
    ctx.reading = true;
    ctx.drain();
    await waitFor(() => texts(ctx).at(-1) === '[+] a: line 99', 2000, 'the newest line');
    const gap = texts(ctx).find((t) => t.includes('dropped')) ?? '';
    assert.match(gap, /^\[-\] zinit: \d+ lines dropped$/);
  });

  void test('unfollow ends a follower of the same connection only, and releases its stream', () => {
    const fanout = new LogFanout(new LogStore({ capacityPerService: 10 }));
    const a = fakeContext();
    const id = fanout.follow(a, null, false, 'zinit');
    assert.equal(fanout.unfollow(fakeContext(), id), false);
    assert.equal(fanout.size, 1);
    assert.equal(fanout.unfollow(a, id), true);
    assert.equal(fanout.unfollow(a, id), false);
    assert.equal(fanout.size, 0);
    assert.equal(a.openStreams, 0);
  });
});
