// Where an HTTP listener may bind: loopback forms accepted, other addresses only when remote clients are allowed, bad forms told how to write them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../../../src/errors/codes.js';
import { RpcError } from '../../../../src/errors/errors.js';
import { parseHttpAddress, resolveListenAddress } from '../../../../src/ipc/http/listen-address.js';
import { canonicalIp, isLoopbackIp } from '../../../../src/ipc/http/ip-address.js';

test('loopback addresses: 127.0.0.0/8, ::1 in any spelling, localhost', () => {
  for (const [text, host] of [
    ['127.0.0.1:8080', '127.0.0.1'],
    ['127.3.4.5:1', '127.3.4.5'],
    ['[::1]:8080', '::1'],
    ['[0:0:0:0:0:0:0:1]:8080', '::1'],
    ['[::ffff:127.0.0.1]:80', '127.0.0.1'],
    ['localhost:0', '127.0.0.1'],
    ['LOCALHOST:9', '127.0.0.1'],
  ] as const) {
    const a = resolveListenAddress(text, false);
    assert.equal(a.host, host, text);
    assert.equal(a.loopback, true, text);
  }
  assert.equal(parseHttpAddress('127.0.0.1:0').port, 0);
  assert.equal(parseHttpAddress('[::1]:65535').written, '[::1]');
});

test('a non-loopback address is refused unless remote clients are allowed, and the refusal names the flag', () => {
  for (const text of ['0.0.0.0:8080', '[::]:8080', '192.168.1.10:80', '10.0.0.1:1', '[::ffff:10.0.0.1]:80', '128.0.0.1:80']) {
    assert.throws(
      () => resolveListenAddress(text, false),
      (err: unknown) => err instanceof RpcError && err.code === ErrorCode.INVALID_PARAMS && err.message.includes('--http-allow-remote'),
      text,
    );
    assert.equal(resolveListenAddress(text, true).loopback, false, text);
  }
});

test('malformed addresses are INVALID_PARAMS saying how to write one, whatever the flag', () => {
  for (const text of ['', 'foo', '8080', '127.0.0.1', '127.0.0.1:', '127.0.0.1:65536', '127.0.0.1:80:80', '::1:80', 'example.com:80', '127.000.000.001:80', '[fe80::1%eth0]:80', '[::1]x:80']) {
    assert.throws(
      () => resolveListenAddress(text, true),
      (err: unknown) => err instanceof RpcError && err.code === ErrorCode.INVALID_PARAMS && err.message.includes('write IP:PORT such as 127.0.0.1:8080'),
      JSON.stringify(text),
    );
  }
});

test('IP literals compare in one canonical form', () => {
  assert.equal(canonicalIp('[0000:0000::0001]'), '::1');
  assert.equal(canonicalIp('::FFFF:7f00:1'), '127.0.0.1');
  assert.equal(canonicalIp('localhost'), null);
  assert.equal(isLoopbackIp('127.255.0.1'), true);
  assert.equal(isLoopbackIp('::2'), false);
  assert.equal(isLoopbackIp('1.127.0.0'), false);
});
