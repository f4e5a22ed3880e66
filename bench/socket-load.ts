// The control plane under load: service_list latency and daemon RSS with hundreds of log followers and a stopped `run` client (node dist/bench/socket-load.js [CLI_ENTRY]).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RpcClient } from '../src/ipc/client.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const cliEntry = path.resolve(process.argv[2] ?? path.join(here, '..', 'src', 'cli', 'main.js'));
const HELD = 400;
const CHURN = 1000;
const LOAD_SECONDS = 10;
/** Every n-th held follower never reads (0: all read); ZINIT_BENCH_PAUSED_EVERY. */
const PAUSED_EVERY = Number(process.env.ZINIT_BENCH_PAUSED_EVERY ?? 2);
/** Followers follow the noisy service, or every service (ZINIT_BENCH_FOLLOW=all). */
const FOLLOW_PARAMS = process.env.ZINIT_BENCH_FOLLOW === 'all' ? {} : { name: 'noisy' };

interface Daemon {
  readonly child: ChildProcess;
  readonly socket: string;
  readonly dir: string;
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

function bytesWritten(pid: number): number {
  return Number(/wchar: (\d+)/.exec(fs.readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? 0);
}

async function until<T>(probe: () => T | null | undefined | false | Promise<T | null | undefined | false>, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== null && v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function start(): Promise<Daemon> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zinit-bench-socket-'));
  fs.mkdirSync(path.join(dir, 's'));
  fs.writeFileSync(path.join(dir, 's', 'noisy.yaml'), "exec: sh -c 'while :; do seq 1 1000; sleep 0.1; done'\n");
  fs.writeFileSync(path.join(dir, 's', 'quiet.yaml'), 'exec: sleep 100000\n');
  const socket = path.join(dir, 'sock');
  const child = spawn(process.execPath, [cliEntry, '-s', socket, 'init', '-c', path.join(dir, 's')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-10_000)));
  child.stderr?.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-10_000)));
  await until(() => out.includes('services loaded'), 15_000, 'the daemon');
  return { child, socket, dir };
}

async function stop(d: Daemon): Promise<void> {
  const gone = new Promise((r) => d.child.once('exit', r));
  d.child.kill('SIGTERM');
  await Promise.race([gone, new Promise((r) => setTimeout(r, 20_000))]);
  d.child.kill('SIGKILL');
  fs.rmSync(d.dir, { recursive: true, force: true });
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** Calls service_list back to back until `done()`, sampling the daemon's RSS; latencies in ms. */
async function listWhile(d: Daemon, done: () => boolean, samples: { rss: number[] }): Promise<number[]> {
  const c = await RpcClient.connect(d.socket, { timeoutMs: 10_000 });
  const lat: number[] = [];
  while (!done()) {
    const t0 = performance.now();
    await c.call('service_list', [], { timeoutMs: 30_000 });
    lat.push(performance.now() - t0);
    samples.rss.push(rssMiB(d.child.pid ?? 0));
    await new Promise((r) => setTimeout(r, 10));
  }
  await c.close();
  return lat.sort((a, b) => a - b);
}

async function connectFollower(socket: string, read: boolean): Promise<net.Socket | null> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const s = await new Promise<net.Socket | Error>((resolve) => {
      const c = net.createConnection(socket, () => resolve(c));
      c.once('error', (e) => resolve(e));
    });
    if (s instanceof net.Socket) {
      s.on('error', () => undefined);
      s.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'stream_subscribeLogs', params: FOLLOW_PARAMS })}\n`);
      if (read) s.on('data', () => undefined);
      else s.pause();
      return s;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return null;
}

interface Row {
  readonly work: string;
  readonly p50: number;
  readonly p99: number;
  readonly calls: number;
  readonly rssBase: number;
  readonly rssPeak: number;
  readonly rssAfter: number;
}

async function followers(): Promise<Row> {
  const d = await start();
  const pid = d.child.pid ?? 0;
  const rssBase = rssMiB(pid);
  const held: net.Socket[] = [];
  const samples = { rss: [] as number[] };
  let finished = false;
  const listing = listWhile(d, () => finished, samples);
  const until0 = Date.now() + LOAD_SECONDS * 1000;
  for (let i = 0; i < HELD; i++) {
    const s = await connectFollower(d.socket, PAUSED_EVERY === 0 || i % PAUSED_EVERY !== 0);
    if (s) held.push(s);
  }
  let churned = 0;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (churned < CHURN) {
        churned++;
        const s = await connectFollower(d.socket, true);
        await new Promise((r) => setTimeout(r, 5));
        s?.destroy();
      }
    }),
  );
  await until(() => Date.now() > until0, LOAD_SECONDS * 1000 + 5000, 'the load period');
  finished = true;
  const lat = await listing;
  for (const s of held) s.destroy();
  await new Promise((r) => setTimeout(r, 2000));
  const rssAfter = rssMiB(pid);
  await stop(d);
  return { work: `${HELD} followers (half not reading) + ${CHURN} churning, noisy service 10k lines/s`, p50: percentile(lat, 0.5), p99: percentile(lat, 0.99), calls: lat.length, rssBase, rssPeak: Math.max(...samples.rss), rssAfter };
}

async function stoppedRun(): Promise<Row> {
  const d = await start();
  const pid = d.child.pid ?? 0;
  const rssBase = rssMiB(pid);
  const cli = spawn(process.execPath, [cliEntry, '-s', d.socket, 'run', '--name', 'printer', '--', 'yes', 'x'.repeat(2000)], { stdio: ['ignore', 'pipe', 'ignore'] });
  cli.stdout?.on('data', () => undefined);
  const c = await RpcClient.connect(d.socket);
  const runPid = await until(async () => ((await c.call('service_statuses')) as { name: string; pid: number }[]).find((s) => s.name === 'run:printer')?.pid, 10_000, 'the run');
  await c.close();
  cli.kill('SIGSTOP');
  const w0 = bytesWritten(runPid);
  const samples = { rss: [] as number[] };
  const end = Date.now() + LOAD_SECONDS * 1000;
  const lat = await listWhile(d, () => Date.now() > end, samples);
  const printed = (bytesWritten(runPid) - w0) / 2 ** 20;
  cli.kill('SIGKILL');
  await new Promise((r) => setTimeout(r, 2000));
  const rssAfter = rssMiB(pid);
  await stop(d);
  return { work: `run client stopped for ${LOAD_SECONDS} s while its command printed ${printed.toFixed(0)} MiB`, p50: percentile(lat, 0.5), p99: percentile(lat, 0.99), calls: lat.length, rssBase, rssPeak: Math.max(rssBase, ...samples.rss), rssAfter };
}

const rows: Row[] = [];
process.stderr.write(`socket-load: ${cliEntry}, Node ${process.version}\n`);
for (const bench of [followers, stoppedRun]) {
  process.stderr.write(`  ${bench.name}…\n`);
  rows.push(await bench());
}
process.stdout.write(`\n| work | service_list p50 / p99 (ms) | calls | RSS base → peak → after (MiB) | peak / base |\n|---|---|---|---|---|\n`);
for (const r of rows) {
  process.stdout.write(`| ${r.work} | ${r.p50.toFixed(2)} / ${r.p99.toFixed(2)} | ${r.calls} | ${r.rssBase.toFixed(1)} → ${r.rssPeak.toFixed(1)} → ${r.rssAfter.toFixed(1)} | ${(r.rssPeak / r.rssBase).toFixed(2)}× |\n`);
}
