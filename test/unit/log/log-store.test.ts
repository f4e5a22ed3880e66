// LogStore: per-service rings, global order, and a follower that is told what it missed.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LogStore, type LogLine } from '../../../src/log/log-store.js';

/** Deterministic pseudo-random numbers, so a failing case can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Every line ever appended, to compute what a follower truly missed. */
class Reference {
  readonly all: LogLine[] = [];
  constructor(readonly store: LogStore) {}
  append(service: string, text = ''): LogLine {
    const line = this.store.append(service, 'stdout', text);
    this.all.push(line);
    return line;
  }
  missed(service: string | null, after: number, upTo: number): number {
    const retained = new Set(this.store.snapshot().map((l) => l.seq));
    return this.all.filter(
      (l) => (service === null || l.service === service) && l.seq > after && l.seq <= upTo && !retained.has(l.seq),
    ).length;
  }
  linesAfter(service: string, after: number): number {
    return this.all.filter((l) => l.service === service && l.seq > after).length;
  }
}

void describe('LogStore', () => {
  void test('a service writing 50,000 lines does not evict another service\'s single line', () => {
    const store = new LogStore({ capacityPerService: 1000 });
    const quiet = store.append('quiet', 'stderr', 'the only line');
    for (let i = 0; i < 50_000; i++) store.append('noisy', 'stdout', `line ${i}`);
    assert.deepEqual(store.snapshot('quiet'), [quiet]);
    const noisy = store.snapshot('noisy');
    assert.equal(noisy.length, 1000);
    assert.equal(noisy[0]?.text, 'line 49000');
    assert.equal(noisy[999]?.text, 'line 49999');
    const merged = store.snapshot();
    assert.equal(merged.length, 1001);
    assert.equal(merged[0], quiet);
  });

  void test('seq is global and increasing; snapshot merges services by seq', () => {
    let t = 1000;
    const store = new LogStore({ capacityPerService: 10, now: () => t++ });
    const a1 = store.append('a', 'stdout', 'a1');
    const b1 = store.append('b', 'stderr', 'b1');
    const a2 = store.append('a', 'stdout', 'a2');
    assert.deepEqual([a1.seq, b1.seq, a2.seq], [1, 2, 3]);
    assert.deepEqual([a1.ts, b1.ts, a2.ts], [1000, 1001, 1002]);
    assert.deepEqual(b1, { seq: 2, ts: 1001, service: 'b', stream: 'stderr', text: 'b1' });
    assert.deepEqual(store.snapshot().map((l) => l.text), ['a1', 'b1', 'a2']);
    assert.deepEqual(store.snapshot('a').map((l) => l.text), ['a1', 'a2']);
    assert.deepEqual(store.snapshot('nope'), []);
    assert.equal(store.latestSeq(), 3);
  });

  void test('readSince counts the lines a slow follower missed, exactly', () => {
    const store = new LogStore({ capacityPerService: 3 });
    const lines = Array.from({ length: 10 }, (_, i) => store.append('a', 'stdout', `a${i + 1}`));
    const fromStart = store.readSince('a', 0);
    assert.deepEqual(fromStart.lines.map((l) => l.text), ['a8', 'a9', 'a10']);
    assert.equal(fromStart.missed, 7);
    const afterA5 = store.readSince('a', lines[4]?.seq ?? -1);
    assert.deepEqual(afterA5.lines.map((l) => l.text), ['a8', 'a9', 'a10']);
    assert.equal(afterA5.missed, 2);
    const afterA8 = store.readSince('a', lines[7]?.seq ?? -1);
    assert.deepEqual(afterA8.lines.map((l) => l.text), ['a9', 'a10']);
    assert.equal(afterA8.missed, 0);
    assert.deepEqual(store.readSince('a', store.latestSeq()), { lines: [], missed: 0 });
    assert.deepEqual(store.readSince('unknown', 0), { lines: [], missed: 0 });
  });

  void test('a follower stale by a million lines of one service is told the exact count', () => {
    const store = new LogStore({ capacityPerService: 10 });
    const ref = new Reference(store);
    ref.append('other');
    const cursor = ref.append('a').seq;
    for (let i = 0; i < 1_000_000; i++) store.append('a', 'stdout', 'x');
    const { lines, missed } = store.readSince('a', cursor);
    assert.equal(lines.length, 10);
    assert.equal(missed, 1_000_000 - 10);
    assert.equal(store.readSince(null, cursor).missed, 1_000_000 - 10);
  });

  void test('missed counts match a full-history model for interleaved services', () => {
    const rand = prng(42);
    const cap = 5;
    const store = new LogStore({ capacityPerService: cap });
    const ref = new Reference(store);
    const names = ['a', 'b', 'c'];
    let checks = 0;
    for (let step = 0; step < 3000; step++) {
      const r = rand();
      ref.append(r < 0.6 ? 'a' : r < 0.9 ? 'b' : 'c');
      if (step % 37 !== 0) continue;
      const latest = store.latestSeq();
      for (const filter of [null, ...names]) {
        for (const back of [0, 1, 2, 3, 5, 8, 13, 21]) {
          const after = Math.max(0, latest - back);
          const got = store.readSince(filter, after);
          const expectedLines = store
            .snapshot(filter ?? undefined)
            .filter((l) => l.seq > after)
            .map((l) => l.seq);
          assert.deepEqual(got.lines.map((l) => l.seq), expectedLines);
          const truth = ref.missed(filter, after, Infinity);
          // The promise: exact for the merged view, and for one service while it is at most two rings behind.
          const within = filter === null || ref.linesAfter(filter, after) <= 2 * cap;
          if (within || after === 0) assert.equal(got.missed, truth, `filter ${filter} after ${after}`);
          else assert.ok(got.missed >= truth, `filter ${filter} after ${after}: ${got.missed} < ${truth}`);
          checks += 1;
        }
      }
    }
    assert.ok(checks > 1000);
  });

  function drain(store: LogStore, filter: string | null, max: number): { seen: number; missed: number } {
    let cursor = 0;
    let seen = 0;
    let missed = 0;
    for (let rounds = 0; rounds < 100_000; rounds++) {
      const batch = store.readSince(filter, cursor, max);
      assert.ok(batch.lines.length <= max);
      for (const l of batch.lines) {
        assert.ok(l.seq > cursor, 'lines come oldest first, never twice');
        cursor = l.seq;
      }
      seen += batch.lines.length;
      missed += batch.missed;
      if (batch.lines.length === 0) return { seen, missed };
    }
    throw new Error('follower never caught up');
  }

  void test('reading in batches with max accounts for every line exactly once', () => {
    const store = new LogStore({ capacityPerService: 50 });
    const ref = new Reference(store);
    ref.append('quiet', 'q');
    for (let i = 0; i < 5000; i++) ref.append('noisy', `n${i}`);
    ref.append('quiet', 'q2');
    for (const filter of [null, 'noisy', 'quiet']) {
      const { seen, missed } = drain(store, filter, 7);
      const total = ref.all.filter((l) => filter === null || l.service === filter).length;
      assert.equal(seen + missed, total, `filter ${filter}`);
    }
  });

  void test('batched reading stays exact when many services interleave', () => {
    const rand = prng(7);
    for (const cap of [3, 10]) {
      const store = new LogStore({ capacityPerService: cap });
      const ref = new Reference(store);
      for (let i = 0; i < 20_000; i++) {
        const r = rand();
        ref.append(r < 0.5 ? 'a' : r < 0.8 ? 'b' : r < 0.9995 ? 'c' : 'rare');
      }
      for (const filter of [null, 'a', 'b', 'c', 'rare']) {
        for (const max of [1, 2, 5, Infinity]) {
          const { seen, missed } = drain(store, filter, max);
          const total = ref.all.filter((l) => filter === null || l.service === filter).length;
          assert.equal(seen + missed, total, `cap ${cap} max ${max} filter ${filter}`);
        }
      }
    }
  });

  void test('a batch cut short by max reports only what was missed before its last line', () => {
    const store = new LogStore({ capacityPerService: 2 });
    const q = store.append('q', 'stdout', 'q1');
    for (let i = 0; i < 10; i++) store.append('n', 'stdout', `n${i}`);
    const first = store.readSince(null, 0, 1);
    assert.deepEqual(first.lines, [q]);
    assert.equal(first.missed, 0);
    const rest = store.readSince(null, q.seq);
    assert.deepEqual(rest.lines.map((l) => l.text), ['n8', 'n9']);
    assert.equal(rest.missed, 8);
  });

  void test('onAppend delivers each line once; unsubscribe stops it, even from inside a listener', () => {
    const store = new LogStore({ capacityPerService: 4 });
    const seen: string[] = [];
    const other: string[] = [];
    const off = store.onAppend((l) => {
      seen.push(l.text);
      if (l.text === 'two') off();
    });
    store.onAppend((l) => other.push(l.text));
    store.append('a', 'stdout', 'one');
    store.append('a', 'stdout', 'two');
    store.append('a', 'stdout', 'three');
    assert.deepEqual(seen, ['one', 'two']);
    assert.deepEqual(other, ['one', 'two', 'three']);
  });

  void test('forget drops a service and its lines; services lists the rest', () => {
    const store = new LogStore({ capacityPerService: 4 });
    store.append('web', 'stdout', 'w');
    store.append('db', 'stdout', 'd');
    assert.deepEqual(store.services(), ['db', 'web']);
    assert.equal(store.forget('web'), true);
    assert.equal(store.forget('web'), false);
    assert.deepEqual(store.services(), ['db']);
    assert.deepEqual(store.snapshot('web'), []);
    assert.deepEqual(store.snapshot().map((l) => l.text), ['d']);
    assert.equal(store.readSince(null, 0).missed, 1, 'a follower of everything is told the forgotten line is gone');
    assert.equal(store.append('web', 'stdout', 'again').seq, 3, 'seq keeps increasing after forget');
  });

  void test('rejects a capacity that is not a positive integer', () => {
    assert.throws(() => new LogStore({ capacityPerService: 0 }), /capacityPerService/);
    assert.throws(() => new LogStore({ capacityPerService: 1.5 }), /capacityPerService/);
  });
});

void describe('LogStore byte bound', () => {
  void test('a ring holds at most its bytes: long lines evict old ones early, and the eviction is counted as missed', () => {
    const store = new LogStore({ capacityPerService: 1000, maxBytesPerService: 10 * (2 * 1000 + 64) });
    const long = 'x'.repeat(1000);
    for (let i = 0; i < 25; i++) store.append('noisy', 'stdout', `${i}${long}`.slice(0, 1000));
    const kept = store.snapshot('noisy');
    assert.equal(kept.length, 10);
    assert.ok(kept[0]?.text.startsWith('15'), `oldest kept is line 15, got ${kept[0]?.text.slice(0, 3)}`);
    assert.equal(store.readSince('noisy', 0).missed, 15);
  });

  void test('a quiet service keeps its lines while a noisy one sheds by bytes', () => {
    const store = new LogStore({ capacityPerService: 100, maxBytesPerService: 4096 });
    store.append('quiet', 'stdout', 'hello');
    for (let i = 0; i < 1000; i++) store.append('noisy', 'stdout', 'y'.repeat(500));
    assert.deepEqual(store.snapshot('quiet').map((l) => l.text), ['hello']);
    assert.ok(store.snapshot('noisy').length <= 4, `noisy kept ${store.snapshot('noisy').length} lines`);
  });

  void test('a million pushes through a small ring keep exactly the newest lines, in order', () => {
    const store = new LogStore({ capacityPerService: 50 });
    for (let i = 0; i < 1_000_000; i++) store.append('s', 'stdout', 'z');
    assert.equal(store.snapshot('s').length, 50);
    assert.equal(store.snapshot('s')[49]?.seq, 1_000_000);
  });

  void test('rejects a byte bound that is not positive', () => {
    assert.throws(() => new LogStore({ capacityPerService: 1, maxBytesPerService: 0 }), /maxBytesPerService/);
  });

  void test('markStart records the spawn as a line of the service\'s ring: in order, counted against its capacity, seen by followers', () => {
    const store = new LogStore({ capacityPerService: 3 });
    const heard: LogLine[] = [];
    store.onAppend((l) => heard.push(l));
    store.append('web', 'stdout', 'old');
    const mark = store.markStart('web');
    store.append('web', 'stdout', 'new');
    assert.deepEqual({ stream: mark.stream, text: mark.text, start: mark.start }, { stream: 'stderr', text: '------------ [start] ------------', start: true });
    assert.deepEqual(store.snapshot('web').map((l) => l.text), ['old', '------------ [start] ------------', 'new']);
    assert.equal(store.append('web', 'stdout', 'x').start, undefined, 'output lines carry no mark');
    assert.deepEqual(store.snapshot('web').map((l) => l.text), ['------------ [start] ------------', 'new', 'x'], 'the ring keeps 3 lines, the mark among them');
    assert.equal(heard.length, 4);
  });
});
