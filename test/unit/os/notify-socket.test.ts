// The pure parts of notify sockets: parsing sd_notify datagrams, naming sockets, encoding sockaddr_un.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { notifySocketName, parseNotifyMessage } from '../../../src/os/notify-socket.js';
import { sockaddrUn } from '../../../src/os/unix-dgram.js';
import { NotifyError } from '../../../src/errors/notify-errors.js';

void describe('parseNotifyMessage', () => {
  void test('KEY=VALUE lines, later keys win, values keep their "=" and spaces', () => {
    assert.deepEqual(
      [...parseNotifyMessage('READY=1\nSTATUS=a = b \nSTATUS=c=d\n')],
      [
        ['READY', '1'],
        ['STATUS', 'c=d'],
      ],
    );
  });

  void test('malformed lines are ignored: no "=", empty or invalid key, a NUL', () => {
    assert.deepEqual([...parseNotifyMessage('\nREADY\n=1\n1X=2\nA B=3\nX=\0\nOK_2=yes')], [['OK_2', 'yes']]);
    assert.equal(parseNotifyMessage('').size, 0);
  });
});

void describe('notifySocketName', () => {
  void test('prefix, counter, service', () => {
    assert.equal(notifySocketName('zinit-ts/1', 7, 'web'), 'zinit-ts/1/7/web');
  });

  void test('a name past 107 bytes is cut on a character boundary and hashed; distinct services stay distinct', () => {
    const a = notifySocketName('zinit-ts/123', 1, `${'é'.repeat(80)}a`);
    const b = notifySocketName('zinit-ts/123', 1, `${'é'.repeat(80)}b`);
    assert.notEqual(a, b);
    for (const n of [a, b]) {
      assert.ok(Buffer.byteLength(n) <= 107, n);
      assert.match(n, /^zinit-ts\/123\/1\/é+~[0-9a-f]{8}$/);
    }
    assert.equal(notifySocketName('p', 1, 'x'.repeat(200)), notifySocketName('p', 1, 'x'.repeat(200)), 'stable');
  });

  void test('a prefix that leaves no room is refused', () => {
    assert.throws(() => notifySocketName('p'.repeat(120), 1, 'svc'), (e: unknown) => e instanceof NotifyError && e.code === 'NOTIFY_ADDRESS_INVALID');
  });
});

void describe('sockaddrUn', () => {
  void test('abstract: family, NUL, the name, and a length that counts exactly the name', () => {
    const { addr, length } = sockaddrUn('@ab');
    assert.equal(length, 2 + 1 + 2);
    assert.deepEqual([...addr.subarray(0, length)], [1, 0, 0, 0x61, 0x62]);
  });

  void test('path: family, the path and its NUL', () => {
    const { addr, length } = sockaddrUn('/run/x');
    assert.equal(length, 2 + 6 + 1);
    assert.equal(addr.toString('latin1', 2, length), '/run/x\0');
  });

  void test('refused: relative, empty, too long, with a NUL', () => {
    for (const bad of ['run/x', '', '@', `/${'x'.repeat(107)}`, `@${'x'.repeat(108)}`, '/a\0b']) {
      assert.throws(() => sockaddrUn(bad), (e: unknown) => e instanceof NotifyError && e.code === 'NOTIFY_ADDRESS_INVALID', JSON.stringify(bad));
    }
    assert.doesNotThrow(() => sockaddrUn(`@${'x'.repeat(107)}`));
    assert.doesNotThrow(() => sockaddrUn(`/${'x'.repeat(106)}`));
  });
});
