// The daemon's instance id: a version-4 UUID from /dev/urandom, and node:crypto's when that cannot be read.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomInstanceId, uuidFromBytes } from '../../../src/os/instance-id.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

void describe('instance id', () => {
  void test('version and variant bits are set whatever the bytes', () => {
    assert.equal(uuidFromBytes(new Uint8Array(16).fill(0xff)), 'ffffffff-ffff-4fff-bfff-ffffffffffff');
    assert.equal(uuidFromBytes(new Uint8Array(16)), '00000000-0000-4000-8000-000000000000');
    assert.throws(() => uuidFromBytes(new Uint8Array(15)), /16 bytes, got 15/);
  });

  void test('fresh ids from /dev/urandom differ', async () => {
    const a = await randomInstanceId();
    const b = await randomInstanceId();
    assert.match(a, UUID_V4);
    assert.match(b, UUID_V4);
    assert.notEqual(a, b);
  });

  void test('an unreadable /dev/urandom falls back to node:crypto', async () => {
    const id = await randomInstanceId(() => {
      throw new Error('ENOENT: /dev/urandom');
    });
    assert.match(id, UUID_V4);
  });
});
