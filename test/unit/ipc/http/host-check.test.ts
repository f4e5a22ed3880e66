// The Host header must name the listener itself: its address and port, or localhost on loopback; anything else (a rebinding DNS name) is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostAllowed, listenerUrl } from '../../../../src/ipc/http/host-check.js';

const v4 = { address: '127.0.0.1', port: 8080 };
const v6 = { address: '::1', port: 8080 };

test('the listener\'s own address and port, and localhost on a loopback connection', () => {
  for (const host of ['127.0.0.1:8080', 'localhost:8080', 'LocalHost:8080', 'localhost.:8080']) assert.equal(hostAllowed(host, v4), true, host);
  for (const host of ['[::1]:8080', '[0:0::1]:8080', 'localhost:8080']) assert.equal(hostAllowed(host, v6), true, host);
  // A dual-stack listener sees an IPv4 client as IPv4-mapped.
  assert.equal(hostAllowed('127.0.0.1:8080', { address: '::ffff:127.0.0.1', port: 8080 }), true);
  assert.equal(hostAllowed('10.1.2.3:80', { address: '10.1.2.3', port: 80 }), true);
  assert.equal(hostAllowed('10.1.2.3', { address: '10.1.2.3', port: 80 }), true, 'port 80 is implied');
});

test('other names, other ports, other addresses and no Host at all are refused', () => {
  for (const host of [undefined, '', 'evil.example:8080', 'evil.example', '127.0.0.1:8081', '127.0.0.1', '127.0.0.2:8080', 'localhost:80', 'sub.localhost:8080', '[::1]:8080', '127.0.0.1:8080:1', '127.0.0.1:8080/x', '0x7f000001:8080'])
    assert.equal(hostAllowed(host, v4), false, String(host));
  // localhost names a loopback connection only: a remote listener's clients cannot use it to dodge the check.
  assert.equal(hostAllowed('localhost:80', { address: '10.1.2.3', port: 80 }), false);
});

test('the URL a refused client is told to use', () => {
  assert.equal(listenerUrl(v4), 'http://127.0.0.1:8080/');
  assert.equal(listenerUrl(v6), 'http://[::1]:8080/');
});
