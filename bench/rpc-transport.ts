// Latency of a trivial call over the control socket, 10k calls sequential then over 50 clients at once (node dist/bench/rpc-transport.js).
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RpcClient } from '../src/ipc/client.js';
import { RpcServer } from '../src/ipc/server.js';

const CALLS = 10_000;
const WARMUP = 1_000;
const CLIENTS = 50;

interface Figures {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly callsPerSecond: number;
}

/** The server runs in its own process, so client and server do not share an event loop. */
async function serve(socketPath: string): Promise<void> {
  const server = new RpcServer({ path: socketPath, methods: { ping: { params: [], handler: () => 'pong' } } });
  await server.listen();
  process.send?.('ready');
  process.once('disconnect', () => {
    void server.close().then(() => process.exit(0));
  });
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

function summarise(latenciesNs: number[], elapsedNs: number): Figures {
  const us = latenciesNs.map((ns) => ns / 1000).sort((a, b) => a - b);
  return {
    p50: percentile(us, 0.5),
    p99: percentile(us, 0.99),
    max: us[us.length - 1] ?? Number.NaN,
    callsPerSecond: (latenciesNs.length / elapsedNs) * 1e9,
  };
}

async function timedCalls(client: RpcClient, count: number, into: number[]): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    const t0 = process.hrtime.bigint();
    const answer = await client.call('ping');
    into.push(Number(process.hrtime.bigint() - t0));
    if (answer !== 'pong') throw new Error(`unexpected answer ${JSON.stringify(answer)}`);
  }
}

async function sequential(socketPath: string): Promise<Figures> {
  const client = await RpcClient.connect(socketPath);
  await timedCalls(client, WARMUP, []);
  const latencies: number[] = [];
  const t0 = process.hrtime.bigint();
  await timedCalls(client, CALLS, latencies);
  const elapsed = Number(process.hrtime.bigint() - t0);
  await client.close();
  return summarise(latencies, elapsed);
}

async function concurrent(socketPath: string): Promise<Figures> {
  const clients = await Promise.all(Array.from({ length: CLIENTS }, () => RpcClient.connect(socketPath)));
  await Promise.all(clients.map((c) => timedCalls(c, WARMUP / CLIENTS, [])));
  const latencies: number[] = [];
  const t0 = process.hrtime.bigint();
  await Promise.all(clients.map((c) => timedCalls(c, CALLS / CLIENTS, latencies)));
  const elapsed = Number(process.hrtime.bigint() - t0);
  await Promise.all(clients.map((c) => c.close()));
  return summarise(latencies, elapsed);
}

function line(label: string, f: Figures): string {
  return `${label.padEnd(34)} p50 ${f.p50.toFixed(0).padStart(5)} µs   p99 ${f.p99.toFixed(0).padStart(6)} µs   max ${f.max.toFixed(0).padStart(6)} µs   ${f.callsPerSecond.toFixed(0).padStart(6)} calls/s`;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zinit-bench-'));
  const socketPath = path.join(dir, 'bench.sock');
  const child = fork(import.meta.filename, ['--serve', socketPath], { stdio: 'inherit' });
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`the bench server exited early (code ${code})`)));
    });
    console.log(`rpc-transport: trivial call over a Unix socket, node ${process.version}, ${os.cpus().length} cores`);
    console.log(line(`${CALLS} calls, 1 client, sequential`, await sequential(socketPath)));
    console.log(line(`${CALLS} calls, ${CLIENTS} clients at once`, await concurrent(socketPath)));
  } finally {
    child.disconnect();
    await new Promise((resolve) => child.once('exit', resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--serve') {
  await serve(process.argv[3] ?? '');
} else {
  await main();
}
