// The flags the daemon's re-execution adds beside its heap limit, and an operator's own taking precedence.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { idleFlags, SEMI_SPACE_MIB } from '../../../src/cli/heap-limit.js';

void describe('idleFlags', () => {
  void test('caps the young generation when nothing says otherwise', () => {
    assert.deepEqual(idleFlags(''), [`--max-semi-space-size=${SEMI_SPACE_MIB}`]);
    assert.deepEqual(idleFlags('--max-old-space-size=512 --trace-warnings'), ['--max-semi-space-size=1']);
  });

  void test("an operator's own semi-space size, in either spelling, is left alone", () => {
    assert.deepEqual(idleFlags('--max-semi-space-size=64'), []);
    assert.deepEqual(idleFlags('--max_semi_space_size 8'), []);
  });
});
