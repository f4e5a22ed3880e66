import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, decideRestart } from '../../../src/supervisor/restart-policy.js';
import { probeDelay, PROBE_CAP_MS, PROBE_FIRST_MS } from '../../../src/supervisor/probe-schedule.js';

const s = { restart: 'always' as const, restartDelayMs: 100, restartMaxDelayMs: 30_000, maxRestarts: 0 };

test('backoff doubles from restart_delay and is capped', () => {
  assert.deepEqual([1, 2, 3, 4].map((n) => backoffDelay(s, n)), [100, 200, 400, 800]);
  assert.equal(backoffDelay(s, 30), 30_000);
});

test('consecutive quick failures grow the delay; a long healthy run resets it', () => {
  let streak = 0;
  const delays: number[] = [];
  for (let i = 0; i < 4; i++) {
    const d = decideRestart(s, { ok: false, ranMs: 10 }, streak);
    assert.equal(d.action, 'respawn');
    if (d.action === 'respawn') {
      delays.push(d.delayMs);
      streak = d.streak;
    }
  }
  assert.deepEqual(delays, [100, 200, 400, 800]);
  const after = decideRestart(s, { ok: false, ranMs: 60_000 }, streak);
  assert.deepEqual(after, { action: 'respawn', delayMs: 100, streak: 1 });
});

test('max_restarts gives up after that many restarts', () => {
  const lim = { ...s, maxRestarts: 3 };
  assert.equal(decideRestart(lim, { ok: false, ranMs: 1 }, 2).action, 'respawn');
  assert.deepEqual(decideRestart(lim, { ok: false, ranMs: 1 }, 3), { action: 'give-up', streak: 3 });
});

test('policies: never and on-failure', () => {
  assert.deepEqual(decideRestart({ ...s, restart: 'never' }, { ok: true, ranMs: 1 }, 0), { action: 'stay' });
  assert.equal(decideRestart({ ...s, restart: 'never' }, { ok: false, ranMs: 1 }, 0).action, 'give-up');
  assert.deepEqual(decideRestart({ ...s, restart: 'on-failure' }, { ok: true, ranMs: 1 }, 0), { action: 'stay' });
  assert.equal(decideRestart({ ...s, restart: 'on-failure' }, { ok: false, ranMs: 1 }, 0).action, 'respawn');
});

test('probes run at once, then from 50 ms growing to a 2 s cap; a configured interval is fixed', () => {
  assert.equal(probeDelay(0, null), 0);
  assert.equal(probeDelay(1, null), PROBE_FIRST_MS);
  assert.ok(probeDelay(2, null) > PROBE_FIRST_MS);
  assert.equal(probeDelay(100, null), PROBE_CAP_MS);
  assert.equal(probeDelay(5, 300), 300);
});
