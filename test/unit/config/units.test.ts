// Durations and sizes as service files write them.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_DURATION_MS, parseDurationMs, parseSizeBytes } from '../../../src/config/units.js';

void describe('parseDurationMs', () => {
  const good: [unknown, number][] = [
    [0, 0],
    [10, 10_000],
    [0.1, 100],
    [1.5, 1500],
    ['500ms', 500],
    ['2s', 2000],
    ['1m', 60_000],
    ['1.5s', 1500],
    ['0.25m', 15_000],
    ['10', 10_000],
    ['.5', 500],
    [' 3 S ', 3000],
    ['250MS', 250],
    [0.0004, 0],
  ];
  for (const [value, ms] of good) {
    void test(`${JSON.stringify(value)} is ${ms} ms`, () => {
      assert.equal(parseDurationMs(value), ms);
    });
  }

  const bad: unknown[] = [-1, 'abc', '', '5h', '1 2s', '-3s', 'ms', Number.NaN, Infinity, true, null, [], {}];
  for (const value of bad) {
    void test(`refuses ${String(JSON.stringify(value))}`, () => {
      assert.throws(() => parseDurationMs(value), (err: Error) => {
        assert.ok(err instanceof RangeError);
        assert.match(err.message, /^must be a non-negative number of seconds or a string such as "500ms", "2s" or "1m", got /);
        return true;
      });
    });
  }

  void test('says what was found', () => {
    assert.throws(() => parseDurationMs('abc'), { message: /got string "abc"$/ });
    assert.throws(() => parseDurationMs(-1), { message: /got number -1$/ });
    assert.throws(() => parseDurationMs([]), { message: /got a list$/ });
  });

  void test('refuses durations a timer cannot hold', () => {
    assert.equal(parseDurationMs(MAX_DURATION_MS / 1000), MAX_DURATION_MS);
    assert.throws(() => parseDurationMs('100000000s'), { message: /must be at most 2147483 seconds/ });
  });
});

void describe('parseSizeBytes', () => {
  const good: [unknown, number][] = [
    [0, 0],
    [4096, 4096],
    ['4096', 4096],
    ['10K', 10 * 1024],
    ['10k', 10 * 1024],
    ['10M', 10 * 1024 ** 2],
    ['1G', 1024 ** 3],
    ['10MB', 10 * 1024 ** 2],
    ['10MiB', 10 * 1024 ** 2],
    ['1.5K', 1536],
    [' 2 m ', 2 * 1024 ** 2],
  ];
  for (const [value, bytes] of good) {
    void test(`${JSON.stringify(value)} is ${bytes} bytes`, () => {
      assert.equal(parseSizeBytes(value), bytes);
    });
  }

  const bad: unknown[] = [-1, 1.5, '10X', '10T', 'M', '', 'ten', true, null, Number.MAX_SAFE_INTEGER + 2, '99999999999999G'];
  for (const value of bad) {
    void test(`refuses ${String(JSON.stringify(value))}`, () => {
      assert.throws(() => parseSizeBytes(value), {
        name: 'RangeError',
        message: /^must be a whole number of bytes or a string such as "10K", "10M" or "1G" \(powers of 1024\), got /,
      });
    });
  }
});
