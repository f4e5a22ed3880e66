// Hostile clients in sequence against one daemon: garbage, oversized and deep requests, slot hoarders, never-reading streams. It keeps answering and gives the memory back.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startDaemon, type DaemonHandle } from '../../helpers/daemon.js';
import { isAlive } from '../../helpers/proc.js';
import { rssMiB } from '../../helpers/rss.js';
import { waitFor } from '../../helpers/wait-for.js';
import { RpcClient } from '../../../src/ipc/client.js';

const daemons: DaemonHandle[] = [];
const sockets: net.Socket[] = [];
after(async () => {
  for (const s of sockets) s.destroy();
  for (const d of daemons) await d.cleanup();
});

function open(socketPath: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.createConnection(socketPath, () => resolve(s));
    s.on('error', () => undefined);
    s.once('error', reject);
    sockets.push(s);
  });
}

/** Writes `bytes`, collects what comes back until the server closes or `ms` pass. */
async function exchange(socketPath: string, bytes: Buffer | string, ms = 5000): Promise<string> {
  const s = await open(socketPath);
  let got = '';
  s.on('data', (b: Buffer) => (got += b.toString()));
  const closed = new Promise<void>((r) => s.once('close', () => r()));
  s.write(bytes);
  await Promise.race([closed, waitFor(() => got.includes('\n') && got, ms, 'an answer').catch(() => undefined)]);
  s.destroy();
  return got;
}

async function list(socketPath: string): Promise<Record<string, string>> {
  const c = await RpcClient.connect(socketPath, { timeoutMs: 5000 });
  try {
    return (await c.call('service_list', [], { timeoutMs: 5000 })) as Record<string, string>;
  } finally {
    await c.close();
  }
}

test('the daemon survives every hostile client in turn, answers throughout, and its RSS comes back near the baseline', async () => {
  const d = await startDaemon({
    noisy: "exec: sh -c 'while :; do seq 1 1000; sleep 0.1; done'\n",
    keeper: 'exec: sleep 1000\n',
  });
  daemons.push(d);
  const keeperPid = JSON.parse((await d.cli(['status', 'keeper', '--json'])).stdout) as { pid: number };
  const baseline = rssMiB(d.pid);
  let peak = baseline;
  const sample = (): void => void (peak = Math.max(peak, rssMiB(d.pid)));

  // Random bytes: answered with errors or closed, never a crash.
  for (let i = 0; i < 20; i++) await exchange(d.socket, crypto.randomBytes(64 * 1024), 500);
  assert.equal((await list(d.socket)).keeper, 'Running');
  sample();

  // Oversized: REQUEST_TOO_LARGE, connection closed.
  const big = await exchange(d.socket, `{"jsonrpc":"2.0","id":1,"method":"service_list","params":["${'x'.repeat(4 * 1024 * 1024)}"]}`);
  assert.match(big, /"code":-32050/);
  sample();

  // Nested 100k deep inside a field: an answer, not a stack overflow.
  const deep = await exchange(d.socket, `{"jsonrpc":"2.0","id":1,"method":"service_status","params":{"name":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`);
  assert.match(deep, /"code":-32052/);
  assert.match(d.output(), /services loaded/);
  assert.doesNotMatch(d.output(), /Maximum call stack/);
  sample();

  // 512 connections that send nothing hold every slot; the operator is still served.
  const hoard: net.Socket[] = [];
  for (let i = 0; i < 512; i++) hoard.push(await open(d.socket));
  const since = Date.now();
  await waitFor(() => Date.now() - since > 1100, 3000, 'the hoarded slots to be idle over a second');
  assert.equal((await list(d.socket)).keeper, 'Running');
  for (const s of hoard) s.destroy();
  sample();

  // Followers of a 10k-lines/s service that never read, and a run whose client never reads.
  const stalled: net.Socket[] = [];
  for (let i = 0; i < 100; i++) {
    const s = await open(d.socket);
    s.pause();
    s.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'stream_subscribeLogs', params: { name: 'noisy' } })}\n`);
    stalled.push(s);
  }
  const runner = await open(d.socket);
  runner.pause();
  runner.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'system_run', params: [['yes', 'y'.repeat(1000)], { name: 'flood' }] })}\n`);
  const floodPid = await waitFor(async () => {
    const rows = JSON.parse((await d.cli(['list', '--json'])).stdout) as { name: string; pid: number }[];
    return rows.find((r) => r.name === 'run:flood')?.pid;
  }, 5000, 'the flood run to start');
  const t0 = Date.now();
  const latencies: number[] = [];
  while (Date.now() - t0 < 3000) {
    const c0 = performance.now();
    assert.equal((await list(d.socket)).noisy, 'Running');
    latencies.push(performance.now() - c0);
    sample();
  }
  assert.ok(latencies.length > 10, `answered ${latencies.length} lists while the streams stalled`);
  for (const s of stalled) s.destroy();
  runner.destroy();
  await waitFor(() => !isAlive(floodPid), 10_000, 'the flood run to be killed when its client left');
  sample();

  assert.ok(isAlive(d.pid), 'the daemon is alive');
  assert.ok(isAlive(keeperPid.pid), 'the service it supervises is untouched');
  // V8 gives pages back to the system once the daemon is idle for a while, and a service writing
  // 10k lines a second keeps it from ever being idle: stopped, the memory can come back.
  assert.equal((await d.cli(['stop', 'noisy'])).code, 0);
  const settled = await waitFor(() => {
    const now = rssMiB(d.pid);
    return now - baseline < 64 ? now : null;
  }, 60_000, `RSS back within 64 MiB of the baseline ${baseline.toFixed(1)} MiB (peak ${peak.toFixed(1)})`, 200);
  assert.ok(settled - baseline < 64);
  assert.ok(peak - baseline < 256, `peak RSS ${peak.toFixed(1)} MiB against a baseline of ${baseline.toFixed(1)}`);
});

test('a service file whose name looks like a run tag is never touched by the end-of-run sweep of runs', async () => {
  const d = await startDaemon({ 'run:run-2.yaml': 'exec: sleep 1000\n', 'run:run-1.yaml': 'exec: sleep 1001\n' });
  daemons.push(d);
  const before = await Promise.all(['run:run-1', 'run:run-2'].map(async (n) => (JSON.parse((await d.cli(['status', n, '--json'])).stdout) as { pid: number }).pid));
  for (let i = 0; i < 3; i++) assert.equal((await d.cli(['run', '--', 'true'])).code, 0);
  for (const pid of before) assert.ok(isAlive(pid), `service process ${pid} survives the runs`);
  const after = await Promise.all(['run:run-1', 'run:run-2'].map(async (n) => (JSON.parse((await d.cli(['status', n, '--json'])).stdout) as { pid: number; state: string })));
  assert.deepEqual(after.map((s) => s.pid), before);
  assert.deepEqual(after.map((s) => s.state), ['Running', 'Running']);
});

test('a regular file put at the socket path while the daemon runs survives its exit', async () => {
  const d = await startDaemon({ a: 'exec: sleep 1000\n' });
  daemons.push(d);
  fs.rmSync(d.socket);
  fs.writeFileSync(d.socket, 'an operator put this here\n');
  d.child.kill('SIGTERM');
  assert.equal(await d.exited(), 0);
  assert.equal(fs.readFileSync(d.socket, 'utf8'), 'an operator put this here\n');
  assert.match(d.output(), /the control socket file was replaced/);
  assert.deepEqual(fs.readdirSync(path.dirname(d.socket)).filter((f) => f.startsWith('.zinit-ts-')), [], 'no staging file left');
});
