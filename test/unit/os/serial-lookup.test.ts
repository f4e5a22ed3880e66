// Probe name lookups run one at a time, in order, with a bounded queue: a hung resolver holds one threadpool thread, not all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type net from 'node:net';
import { MAX_WAITING_LOOKUPS, serialLookup } from '../../../src/os/serial-lookup.js';

type Callback = Parameters<net.LookupFunction>[2];

test('one lookup at a time, the next when the last answered, each answer to its own caller', () => {
  const pending: { host: string; answer: Callback }[] = [];
  const lookup = serialLookup((host, _o, cb) => void pending.push({ host, answer: cb }));
  const got: string[] = [];
  for (const h of ['a', 'b', 'c']) lookup(h, {}, (_e, address) => got.push(`${h}=${typeof address === 'string' ? address : JSON.stringify(address)}`));
  assert.deepEqual(pending.map((p) => p.host), ['a'], 'only the first runs');
  pending[0]?.answer(null, '10.0.0.1', 4);
  assert.deepEqual(pending.map((p) => p.host), ['a', 'b']);
  pending[1]?.answer(null, '10.0.0.2', 4);
  pending[2]?.answer(null, '10.0.0.3', 4);
  assert.deepEqual(got, ['a=10.0.0.1', 'b=10.0.0.2', 'c=10.0.0.3']);
  lookup('d', {}, () => undefined);
  assert.equal(pending.length, 4, 'idle again: the next runs at once');
});

test('past MAX_WAITING_LOOKUPS behind a hung one, a lookup fails at once with its code', async () => {
  let started = 0;
  const lookup = serialLookup(() => void started++);
  for (let i = 0; i <= MAX_WAITING_LOOKUPS; i++) lookup(`h${i}`, {}, () => assert.fail('nothing answers'));
  const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => lookup('late', {}, (e) => resolve(e)));
  assert.equal(err?.code, 'ELOOKUPQUEUEFULL');
  assert.equal(started, 1, 'the hung lookup is the only one running');
});
