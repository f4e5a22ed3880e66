// IdleTrim: one trim once a burst of activity has been quiet for the period, and no timer left while idle.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IdleTrim } from '../../../src/os/idle-trim.js';
import { loadLibc } from '../../../src/os/libc.js';
import { FakeClock } from '../../helpers/fake-clock.js';

function setup(quietMs = 5000): { clock: FakeClock; trimmer: IdleTrim; trims: () => number } {
  const clock = new FakeClock();
  let trims = 0;
  const trimmer = new IdleTrim({ clock, quietMs, trim: () => (trims++, true) });
  return { clock, trimmer, trims: () => trims };
}

void describe('IdleTrim', () => {
  void test('trims once after the quiet period, then holds no timer', async () => {
    const { clock, trimmer, trims } = setup();
    assert.equal(clock.pending, 0, 'nothing scheduled before any activity');
    trimmer.activity();
    await clock.advance(4999);
    assert.equal(trims(), 0);
    await clock.advance(1);
    assert.equal(trims(), 1);
    assert.equal(clock.pending, 0, 'idle after the trim: no timer at all');
    await clock.advance(10 * 60_000);
    assert.equal(trims(), 1, 'an idle daemon is not trimmed again and again');
  });

  void test('a burst of activity keeps one timer and trims once, a quiet period after its last event', async () => {
    const { clock, trimmer, trims } = setup();
    for (let i = 0; i < 200; i += 1) {
      trimmer.activity();
      await clock.advance(100);
      assert.ok(clock.pending <= 1, `at most one timer (event ${i})`);
    }
    assert.equal(trims(), 0, 'never while the burst goes on');
    await clock.advance(4899);
    assert.equal(trims(), 0);
    await clock.advance(1);
    assert.equal(trims(), 1);
    assert.equal(clock.pending, 0);
  });

  void test('activity after a trim brings one more', async () => {
    const { clock, trimmer, trims } = setup(1000);
    trimmer.activity();
    await clock.advance(1000);
    trimmer.activity();
    await clock.advance(1000);
    assert.equal(trims(), 2);
    assert.equal(trimmer.trims, 2);
  });

  void test('a trim that throws is swallowed; the next burst still trims', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const trimmer = new IdleTrim({ clock, quietMs: 10, trim: () => { calls++; throw new Error('no malloc_trim'); } });
    trimmer.activity();
    await clock.advance(10);
    trimmer.activity();
    await clock.advance(10);
    assert.equal(calls, 2);
  });

  void test('rejects a quiet period that is not positive', () => {
    assert.throws(() => new IdleTrim({ clock: new FakeClock(), quietMs: 0, trim: () => true }), /positive quietMs, got 0/);
  });

  void test('the real malloc_trim runs (glibc) and answers a boolean', () => {
    const loaded = loadLibc();
    if ('error' in loaded) assert.fail(loaded.error);
    assert.equal(typeof loaded.libc.mallocTrim(), 'boolean');
  });
});
