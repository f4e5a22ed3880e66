// Boot with a config directory of hostile files, and `check` of files with 10k and 40k keys (node dist/bench/hostile-config.js).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RpcClient } from '../src/ipc/client.js';
import { loadConfigDir } from '../src/config/load-dir.js';
import { cliEntry } from '../test/helpers/paths.js';
import { killAll, pidsWithEnv } from '../test/helpers/proc.js';
import { GOOD_FILES, manyKeysFile, writeHostileDir } from '../test/helpers/hostile-config.js';

const LOAD_TIMEOUT_MS = Number(process.env.ZINIT_BENCH_TIMEOUT_S ?? 120) * 1000;
/** A daemon past this is stopped: reading devices to the end is how the unbounded loader dies. */
const RSS_KILL_BYTES = 4 * 1024 * 1024 * 1024;
const RUNS = 3;
const POLL_MS = 20;

interface BootFigures {
  readonly files: number;
  readonly loadedMs: number | null;
  /** CPU the daemon (all its threads) had used when "services loaded" was seen: steadier than wall time on a shared machine. */
  readonly loadedCpuMs: number | null;
  readonly runningMs: number | null;
  readonly peakRssMiB: number;
  readonly afterRssMiB: number | null;
  readonly rpcAnswersWhileLoading: number;
  readonly rpcMaxMs: number | null;
  readonly outcome: string;
}

const TICK_MS = 1000 / (Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100);

function cpuMs(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15, the 12th and 13th after the command name.
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return null;
  }
}

function statusKiB(pid: number, field: string): number | null {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Asks service_list in a loop from the moment the socket answers; latencies of the answers. */
async function pollRpc(socket: string, stop: () => boolean, into: { at: number; ms: number }[]): Promise<void> {
  let client: RpcClient | null = null;
  while (!stop() && client === null) {
    client = await RpcClient.connect(socket, { timeoutMs: 200 }).catch(() => null);
    if (client === null) await new Promise((r) => setTimeout(r, POLL_MS));
  }
  if (client === null) return;
  try {
    while (!stop()) {
      const t0 = performance.now();
      await client.call('service_list', undefined, { timeoutMs: 30_000 });
      into.push({ at: performance.now(), ms: performance.now() - t0 });
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } catch {
    /* the daemon went away; what was measured stands */
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function boot(configDir: string, good: readonly string[], files: number): Promise<BootFigures> {
  const socket = path.join(path.dirname(configDir), `zinit-${path.basename(configDir)}.sock`);
  const t0 = performance.now();
  const child = spawn(process.execPath, [cliEntry, '-s', socket, 'init', '-c', configDir, '--log-format', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid ?? -1;
  let out = '';
  let loadedAt: number | null = null;
  let loadedCpu: number | null = null;
  let exited = false;
  child.stdout.on('data', (b: Buffer) => {
    out += b.toString();
    if (loadedAt === null && out.includes('"services loaded"')) {
      loadedAt = performance.now();
      loadedCpu = cpuMs(pid);
    }
  });
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  child.once('exit', () => (exited = true));
  const answers: { at: number; ms: number }[] = [];
  let stopRpc = false;
  const rpc = pollRpc(socket, () => stopRpc || exited, answers);
  let peak = 0;
  let outcome = 'ok';
  let runningAt: number | null = null;
  const deadline = t0 + LOAD_TIMEOUT_MS;
  while (!exited && performance.now() < deadline) {
    peak = Math.max(peak, (statusKiB(pid, 'VmHWM') ?? 0) * 1024);
    if (peak > RSS_KILL_BYTES) {
      outcome = `killed at ${(peak / 2 ** 20).toFixed(0)} MiB RSS`;
      break;
    }
    if (loadedAt !== null && runningAt === null) {
      const list = (await runList(socket)) ?? {};
      if (good.every((g) => list[g] === 'Running')) runningAt = performance.now();
    }
    if (runningAt !== null) break;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  if (exited) outcome = `daemon exited: ${out.slice(-300)}`;
  else if (loadedAt === null && outcome === 'ok') outcome = `"services loaded" not reached in ${LOAD_TIMEOUT_MS / 1000} s`;
  let afterRss: number | null = null;
  if (!exited && runningAt !== null) {
    await new Promise((r) => setTimeout(r, 2000));
    afterRss = statusKiB(pid, 'VmRSS');
  }
  stopRpc = true;
  await rpc;
  child.kill(outcome === 'ok' ? 'SIGTERM' : 'SIGKILL');
  await new Promise<void>((r) => (exited ? r() : child.once('exit', () => r())));
  // A daemon killed mid-way leaves its services: they carry its socket in their environment.
  killAll(pidsWithEnv(`ZINIT_TS_SOCKET=${path.resolve(socket)}`));
  const before = loadedAt ?? Number.POSITIVE_INFINITY;
  const during = answers.filter((a) => a.at < before);
  return {
    files,
    loadedMs: loadedAt === null ? null : loadedAt - t0,
    loadedCpuMs: loadedCpu,
    runningMs: runningAt === null ? null : runningAt - t0,
    peakRssMiB: peak / 2 ** 20,
    afterRssMiB: afterRss === null ? null : afterRss / 1024,
    rpcAnswersWhileLoading: during.length,
    rpcMaxMs: answers.length === 0 ? null : Math.max(...answers.map((a) => a.ms)),
    outcome,
  };
}

async function runList(socket: string): Promise<Record<string, string> | null> {
  const client = await RpcClient.connect(socket, { timeoutMs: 500 }).catch(() => null);
  if (client === null) return null;
  try {
    return (await client.call('service_list', undefined, { timeoutMs: 5000 })) as Record<string, string>;
  } catch {
    return null;
  } finally {
    await client.close().catch(() => undefined);
  }
}

function minOf(runs: number, fn: () => number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i += 1) best = Math.min(best, fn());
  return best;
}

async function minOfAsync(runs: number, fn: () => Promise<number>): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i += 1) best = Math.min(best, await fn());
  return best;
}

function checkWall(dir: string): number {
  const t0 = performance.now();
  spawnSync(process.execPath, [cliEntry, 'check', '-c', dir], { stdio: 'ignore' });
  return performance.now() - t0;
}

async function keysFigures(root: string, keys: number): Promise<{ cliMs: number; loadMs: number }> {
  const dir = path.join(root, `keys-${keys}`);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'big.yaml'), manyKeysFile(keys));
  const loadMs = await minOfAsync(RUNS, async () => {
    const t0 = performance.now();
    await loadConfigDir(dir);
    return performance.now() - t0;
  });
  return { cliMs: minOf(RUNS, () => checkWall(dir)), loadMs };
}

function fmt(ms: number | null): string {
  return ms === null ? 'never' : `${(ms / 1000).toFixed(2)} s`;
}

function report(label: string, f: BootFigures): void {
  console.log(`${label} (${f.files} files):`);
  console.log(`  "services loaded"     ${fmt(f.loadedMs)}${f.loadedCpuMs === null ? '' : `, daemon CPU by then ${fmt(f.loadedCpuMs)}`}${f.outcome === 'ok' ? '' : `   (${f.outcome})`}`);
  console.log(`  good services Running ${fmt(f.runningMs)}`);
  console.log(`  daemon peak RSS       ${f.peakRssMiB.toFixed(1)} MiB; 2 s after Running ${f.afterRssMiB === null ? '—' : `${f.afterRssMiB.toFixed(1)} MiB`}`);
  console.log(`  service_list answered ${f.rpcAnswersWhileLoading} times while loading, slowest ${f.rpcMaxMs === null ? '—' : `${f.rpcMaxMs.toFixed(0)} ms`}`);
}

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'zinit-bench-hostile-'));
try {
  console.log(`node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const onlyGood = path.join(root, 'good');
  const hostile = await writeHostileDir(path.join(root, 'hostile'));
  const bytes = spawnSync('du', ['-sb', '--apparent-size', path.join(root, 'hostile')], { encoding: 'utf8' }).stdout.split('\t')[0];
  console.log(`hostile directory: ${hostile.bad.length} bad files beside ${hostile.good.length} good ones, ${(Number(bytes) / 2 ** 20).toFixed(0)} MiB apparent size (sparse files included)`);
  fs.mkdirSync(onlyGood);
  for (const [file, text] of Object.entries(GOOD_FILES)) fs.writeFileSync(path.join(onlyGood, file), text);
  report('good services only', await boot(onlyGood, hostile.good, hostile.good.length));
  report('good services beside hostile files', await boot(path.join(root, 'hostile'), hostile.good, hostile.good.length + hostile.bad.length));
  await hostile.close();
  const k10 = await keysFigures(root, 10_000);
  const k40 = await keysFigures(root, 40_000);
  console.log(`check of one file, min of ${RUNS}:   CLI wall    in-process load`);
  console.log(`  10k env keys                 ${k10.cliMs.toFixed(0).padStart(6)} ms   ${k10.loadMs.toFixed(0).padStart(6)} ms`);
  console.log(`  40k env keys                 ${k40.cliMs.toFixed(0).padStart(6)} ms   ${k40.loadMs.toFixed(0).padStart(6)} ms   (${(k40.loadMs / k10.loadMs).toFixed(1)}× the 10k load)`);
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
