// Memory over restarts: one service crash-looping every ~20 ms beside 50 idle ones; the daemon's RSS and live heap per 1000 restarts after warm-up (node dist/bench/restarts.js [RESTARTS] [--rss-only|--heap-only] [--container]).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RpcClient } from '../src/ipc/client.js';
import { CLOCK_TICKS, readStat } from '../src/os/proc.js';
import { cliEntry } from '../test/helpers/paths.js';
import { grownKinds, heapProbeEnv, readHeapCensus, takeHeapSnapshot, type HeapCensus } from '../test/helpers/heap-snapshot.js';
import { waitFor } from '../test/helpers/wait-for.js';

const args = process.argv.slice(2);
const RESTARTS = Number(args.find((a) => /^\d+$/.test(a)) ?? '5000');
const PHASES: readonly Phase[] = args.includes('--rss-only') ? ['rss'] : args.includes('--heap-only') ? ['heap'] : ['rss', 'heap'];
/** The daemon as PID 1 of a fresh PID namespace, as in a container: its /proc holds its own processes only. */
const CONTAINER = args.includes('--container');
const WARMUP = 1000;
const STEP = 1000;
const IDLE = 50;
const MIB = 1024 * 1024;

/** RSS from a daemon left alone; the live heap from another one that writes snapshots (which cost RSS of their own). */
type Phase = 'rss' | 'heap';

interface Sample {
  readonly restarts: number;
  readonly rss: number;
  readonly fds: number;
  readonly threads: number;
  readonly census: HeapCensus | null;
}

function statusField(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? Number.NaN);
}

/** Restarts of the crash-looping service so far; -1 until its file is loaded. */
async function restartsOf(client: RpcClient): Promise<number> {
  try {
    const s = (await client.call('service_status', { name: 'crash' })) as { restarts: number };
    return s.restarts;
  } catch {
    return -1;
  }
}

/** CPU time the process has used so far (user + system). */
function cpuMs(pid: number): number {
  const s = readStat(pid);
  return s === null ? Number.NaN : ((s.utime + s.stime) / CLOCK_TICKS) * 1000;
}

function childOf(pid: number): number | null {
  try {
    const first = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ')[0];
    return first ? Number(first) : null;
  } catch {
    return null;
  }
}

/** Least-squares slope of y over x, per 1000 x. */
function slopePer1000(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const num = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return den === 0 ? Number.NaN : (num / den) * 1000;
}

async function measure(phase: Phase): Promise<Sample[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zinit-bench-restarts-'));
  const configDir = path.join(dir, 'services');
  const snapDir = path.join(dir, 'snapshots');
  fs.mkdirSync(configDir);
  fs.mkdirSync(snapDir);
  for (let i = 1; i <= IDLE; i++) fs.writeFileSync(path.join(configDir, `idle-${String(i).padStart(2, '0')}.yaml`), 'exec: sleep 100000\n');
  // Exits at once; respawned 10 ms later, every time (the backoff is capped at the first delay).
  fs.writeFileSync(path.join(configDir, 'crash.yaml'), 'exec: sh -c "exit 1"\nrestart_delay: 10ms\nrestart_max_delay: 10ms\n');
  const socket = path.join(dir, 'zinit.sock');
  const log = fs.openSync(path.join(dir, 'daemon.log'), 'w');
  const probe = path.join(snapDir, 'probe.sock');
  const command = [process.execPath, cliEntry, '-s', socket, 'init', '-c', configDir, ...(CONTAINER ? ['--container'] : [])];
  // --kill-child: should the bench die, the namespace's PID 1 goes with unshare, and the kernel ends the rest.
  const [file = '', ...rest] = CONTAINER ? ['unshare', '--pid', '--fork', '--kill-child', '--mount-proc', ...command] : command;
  const daemon = spawn(file, rest, { stdio: ['ignore', log, log], env: phase === 'heap' ? { ...process.env, ...heapProbeEnv(probe, cliEntry) } : process.env });
  let exited = false;
  daemon.once('exit', () => (exited = true));
  const samples: Sample[] = [];
  let pid = 0;
  try {
    // Under unshare the daemon is unshare's one child.
    pid = CONTAINER ? await waitFor(() => childOf(daemon.pid ?? 0), 15_000, 'the daemon under unshare') : (daemon.pid ?? 0);
    await waitFor(() => exited || fs.existsSync(socket), 15_000, 'the daemon socket');
    if (exited) throw new Error(`the daemon exited early; see ${path.join(dir, 'daemon.log')}`);
    const client = await RpcClient.connect(socket);
    console.log(phase === 'rss' ? 'RSS, nothing else asked of the daemon:' : 'live heap, from V8 heap snapshots (each taken after a full GC; RSS here includes what writing them cost):');
    // The machine's load and process count beside each sample: every respawn walks /proc, so a busy machine costs the daemon.
    console.log('  restarts   RSS MiB   heap MiB   fds   threads   restarts/s   CPU ms/restart   load   processes');
    let lastAt = performance.now();
    let lastCount = 0;
    let lastCpu = cpuMs(pid);
    // Restart 0 is the daemon as it starts the loop: what the warm-up grows from, left out of the growth.
    for (const target of [0, ...Array.from({ length: Math.floor(RESTARTS / STEP) + 1 }, (_, i) => WARMUP + i * STEP)]) {
      const count = await waitFor(async () => {
        const n = await restartsOf(client);
        return n >= target ? n : null;
      }, 600_000, `${target} restarts`, 50);
      const rate = ((count - lastCount) / (performance.now() - lastAt)) * 1000;
      const cpu = count > lastCount ? (cpuMs(pid) - lastCpu) / (count - lastCount) : Number.NaN;
      const rss = statusField(pid, 'VmRSS') * 1024;
      const fds = fs.readdirSync(`/proc/${pid}/fd`).length;
      const threads = statusField(pid, 'Threads');
      let census: HeapCensus | null = null;
      if (phase === 'heap') {
        const file = await takeHeapSnapshot(probe, path.join(snapDir, 'heap.heapsnapshot'));
        census = readHeapCensus(file);
        fs.rmSync(file);
      }
      samples.push({ restarts: count, rss, fds, threads, census });
      const heap = census === null ? '       —' : (census.bytes / MIB).toFixed(2).padStart(8);
      const processes = fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length;
      console.log(
        `  ${String(count).padStart(8)}   ${(rss / MIB).toFixed(1).padStart(7)}   ${heap}   ${String(fds).padStart(3)}   ${String(threads).padStart(7)}   ${(target === 0 ? '—' : rate.toFixed(0)).padStart(10)}   ${(target === 0 ? '—' : cpu.toFixed(2)).padStart(14)}   ${(os.loadavg()[0] ?? 0).toFixed(1).padStart(4)}   ${String(processes).padStart(9)}`,
      );
      // A snapshot's pause and CPU are not counted in the rate.
      lastAt = performance.now();
      lastCount = await restartsOf(client);
      lastCpu = cpuMs(pid);
    }
    await client.close();
  } finally {
    if (pid > 0) process.kill(pid, 'SIGTERM');
    else daemon.kill('SIGTERM');
    await waitFor(() => exited, 30_000, 'the daemon to exit').catch(() => daemon.kill('SIGKILL'));
    fs.closeSync(log);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return samples;
}

function report(phase: Phase, all: readonly Sample[]): void {
  const samples = all.filter((s) => s.restarts >= WARMUP);
  if (phase === 'rss') {
    const slope = slopePer1000(samples.map((s) => ({ x: s.restarts, y: s.rss / MIB })));
    console.log(`  RSS growth after warm-up: ${slope.toFixed(2)} MiB per 1000 restarts (target < 1)`);
    return;
  }
  const slope = slopePer1000(samples.map((s) => ({ x: s.restarts, y: (s.census?.bytes ?? 0) / MIB })));
  console.log(`  heap growth after warm-up: ${slope.toFixed(3)} MiB per 1000 restarts`);
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (!first?.census || !last?.census) return;
  const grown = grownKinds(first.census, last.census, 8);
  console.log(`  live objects that grew from ${first.restarts} to ${last.restarts} restarts:${grown.length === 0 ? ' none' : ''}`);
  for (const g of grown) console.log(`    ${g.kind.padEnd(46)} +${String(g.count).padStart(7)}  ${(g.bytes / 1024).toFixed(0).padStart(6)} KiB`);
}

console.log(
  `restarts: 1 service crash-looping (restart_delay 10 ms) beside ${IDLE} idle ones, ${CONTAINER ? 'the daemon PID 1 of its own PID namespace' : 'on the host'}; node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg()[0]?.toFixed(2)}`,
);
console.log(`${WARMUP} restarts of warm-up, then ${RESTARTS}, sampled every ${STEP}`);
for (const phase of PHASES) report(phase, await measure(phase));
