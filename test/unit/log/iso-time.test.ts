// isoTime: the cached formatter must agree with Date#toISOString everywhere.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isoTime } from '../../../src/log/iso-time.js';

void test('matches toISOString across seconds, milliseconds and odd dates', () => {
  const base = Date.parse('2026-11-21T23:18:59.990Z');
  const samples = [0, 1, 999, 1000, -1, -999, -1000, -1001, base, base + 9, base + 10, base + 99, base + 100, 951_782_400_000];
  for (let i = 0; i < 5000; i++) samples.push(base + i * 7, base - i * 1_000_003);
  for (const ts of samples) assert.equal(isoTime(ts), new Date(ts).toISOString(), `ts ${ts}`);
  // The cache must not leak a previous second into the next call.
  assert.equal(isoTime(base), '2026-11-21T23:18:59.990Z');
  assert.equal(isoTime(base + 10), '2026-11-21T23:19:00.000Z');
  assert.equal(isoTime(base), '2026-11-21T23:18:59.990Z');
});

void test('fractional milliseconds are truncated toward zero, as Date does', () => {
  assert.equal(isoTime(1.9), new Date(1.9).toISOString());
  assert.equal(isoTime(-0.5), new Date(-0.5).toISOString());
});

void test('years beyond four digits fall back to Date; impossible times never throw', () => {
  const far = Date.parse('+020000-01-01T00:00:00.123Z');
  assert.equal(isoTime(far), new Date(far).toISOString());
  assert.equal(isoTime(Number.NaN), 'NaN');
  assert.equal(isoTime(Infinity), 'Infinity');
  assert.equal(isoTime(9e15), '9000000000000000');
});
