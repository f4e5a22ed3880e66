// Network probes load their module on the first run, once; a run cancelled while it loads never starts; a failed load is a failed probe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lazyNetProbe } from '../../../src/daemon/lazy-net-probe.js';
import type { NetProbe, NetProbePort } from '../../../src/supervisor/ports.js';

const tcp: NetProbe = { kind: 'tcp', host: '127.0.0.1', port: 1 };

test('the module is loaded on the first run only, and each run goes to it', async () => {
  let loads = 0;
  const ran: NetProbe[] = [];
  const inner: NetProbePort = { run: (p) => (ran.push(p), { result: Promise.resolve({ ok: true, error: null }), cancel: () => undefined }) };
  const port = lazyNetProbe(() => (loads++, Promise.resolve(inner)));
  assert.equal(loads, 0, 'nothing is loaded before a probe runs');
  assert.deepEqual(await port.run(tcp, 1000).result, { ok: true, error: null });
  assert.deepEqual(await port.run(tcp, 1000).result, { ok: true, error: null });
  assert.equal(loads, 1);
  assert.equal(ran.length, 2);
});

test('a run cancelled before the module is there never starts; a cancel after reaches the run', async () => {
  let cancels = 0;
  let runs = 0;
  const inner: NetProbePort = { run: () => (runs++, { result: new Promise(() => undefined), cancel: () => void cancels++ }) };
  const port = lazyNetProbe(() => Promise.resolve(inner));
  const early = port.run(tcp, 1000);
  early.cancel();
  assert.deepEqual(await early.result, { ok: false, error: 'cancelled' });
  assert.equal(runs, 0);
  const late = port.run(tcp, 1000);
  await new Promise((r) => setImmediate(r));
  assert.equal(runs, 1);
  late.cancel();
  assert.equal(cancels, 1);
});

test('a module that cannot be loaded makes every probe fail with the reason', async () => {
  const port = lazyNetProbe(() => Promise.reject(new Error('no node:http')));
  assert.deepEqual(await port.run(tcp, 1000).result, { ok: false, error: 'network probes unavailable: no node:http' });
});
