// Orphan reaping as PID 1: zinit-ts's reaper against tini on the same storm; rate, CPU per orphan, unreaped over time.
//
//   node dist/bench/reap.js [--orphans 20000] [--rounds 3]
//
// Each round runs the init as PID 1 of a fresh PID namespace (unshare, root needed) with bench/reap-storm.sh as its
// main child. The storm leaves N orphans, reparented to the init and blocked on a FIFO, then two scenarios:
//   burst: the init is stopped (SIGSTOP), every orphan exits and is a zombie, the init is continued: pure reaping.
//   live:  the FIFO is released with the init running: orphans exit while it reaps.
// Measured from outside the namespace: time until no orphan is left unreaped, the init's CPU time (utime+stime
// from /proc) over that span, and the count left, sampled every ~1 ms from a pids cgroup (or, without one,
// every ~20 ms from the init's children list).
// tini is the Debian package `tini`; its column is skipped when it is not installed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { CLOCK_TICKS, readStat } from '../src/os/proc.js';
import { fixture, repoRoot } from '../test/helpers/paths.js';
import { waitFor } from '../test/helpers/wait-for.js';

type Scenario = 'burst' | 'live';

interface Init {
  name: string;
  argv: (command: string[]) => string[];
}

interface Round {
  drainMs: number;
  cpuMs: number;
  samples: [number, number][];
  stats: { reaped: number; passes: number; fallbackScans: number } | null;
}

const SAMPLE_AT_MS = [0, 10, 25, 50, 100, 200, 500, 1000, 2000, 3000, 4000];

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at < 0 ? fallback : Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} expects a positive integer, got ${process.argv[at + 1]}`);
  return value;
}

function onPath(binary: string): string | null {
  for (const dir of (process.env['PATH'] ?? '/usr/bin:/bin').split(':')) {
    const candidate = path.join(dir, binary);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory.
    }
  }
  return null;
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  let tids: string[];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      for (const word of fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ')) {
        if (word.trim() !== '') out.push(Number(word));
      }
    } catch {
      // Thread gone.
    }
  }
  return out;
}

function threadsOf(pid: number): number {
  try {
    return fs.readdirSync(`/proc/${pid}/task`).length;
  } catch {
    return 0;
  }
}

/**
 * A pids cgroup for one round, so the count of unreaped orphans is one small read (pids.current counts tasks until
 * they are reaped) instead of a walk of 20000 children that would compete with the init for CPU and locks.
 */
function makePidsCgroup(): string | null {
  for (const base of ['/sys/fs/cgroup/pids', '/sys/fs/cgroup/unified', '/sys/fs/cgroup']) {
    const dir = path.join(base, `zinit-reap-bench-${process.pid}`);
    try {
      fs.mkdirSync(dir);
    } catch {
      continue;
    }
    if (fs.existsSync(path.join(dir, 'pids.current'))) return dir;
    fs.rmdirSync(dir);
  }
  return null;
}

function cpuTicks(pid: number): number {
  const stat = readStat(pid);
  if (!stat) throw new Error(`init ${pid} vanished during the measurement`);
  return stat.utime + stat.stime;
}

/** Reads the FIFO without blocking: true once no writer is left (every orphan that held it has died). */
function writersGone(fd: number): boolean {
  try {
    return fs.readSync(fd, Buffer.alloc(64)) === 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return false;
    throw err;
  }
}

/** Free pids: pid_max less every task on the machine (/proc/loadavg's total counts threads, as pid_max does). */
function freePids(): number {
  const pidMax = Number(fs.readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
  const total = Number(fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[3]?.split('/')[1]);
  return pidMax - total;
}

async function runRound(init: Init, scenario: Scenario, orphans: number): Promise<Round> {
  // Other work on the machine can hold thousands of pids; a storm that cannot fork would never be reparented.
  const needed = orphans + 1000;
  await waitFor(() => freePids() >= needed, 120000, `${needed} free pids (now ${freePids()}); lower --orphans`, 500);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zinit-reap-bench-'));
  const gate = path.join(dir, 'gate');
  const alive = path.join(dir, 'alive');
  const done = path.join(dir, 'done');
  const statsFile = path.join(dir, 'stats.json');
  if (spawnSync('mkfifo', [gate, alive, done]).status !== 0) throw new Error(`mkfifo in ${dir} failed`);
  // Held read-write so that opening never blocks; closing one is the moment its readers see end of file.
  let gateFd: number | null = fs.openSync(gate, 'r+');
  const doneFd = fs.openSync(done, 'r+');
  const aliveFd = fs.openSync(alive, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const cgroup = makePidsCgroup();

  const command = [path.join(repoRoot, 'bench', 'reap-storm.sh'), fixture('orphan-storm.sh'), String(orphans), gate, alive, done];
  const unshareArgv = ['unshare', '--pid', '--fork', '--mount-proc', ...init.argv(command)];
  // The shell enters the cgroup and becomes unshare, so the namespace and everything in it are counted there.
  const argv = cgroup ? ['/bin/sh', '-c', 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"', 'sh', cgroup, ...unshareArgv] : unshareArgv;
  const [file = '', ...args] = argv;
  const unshare: ChildProcess = spawn(file, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, REAP_STATS_FILE: statsFile } });
  let initPid = -1;
  try {
    initPid = await waitFor(() => childrenOf(unshare.pid ?? -1)[0], 10000, 'the namespace init to start');
    const target = initPid;
    // Reparented means the storm script has exited, so every orphan already holds the gate and the alive FIFO.
    await waitFor(() => childrenOf(target).length >= orphans + 1, 300000, `${orphans} orphans reparented to ${init.name}`, 250);

    if (scenario === 'burst') {
      process.kill(target, 'SIGSTOP');
      await waitFor(() => readStat(target)?.state === 'T', 5000, `${init.name} to stop`);
      fs.closeSync(gateFd);
      gateFd = null;
      await waitFor(() => writersGone(aliveFd), 120000, 'every orphan to exit', 50);
    }

    // unshare, the main shell and the init's threads stay; everything else counted is an unreaped orphan.
    const unreaped = cgroup
      ? (): number => Number(fs.readFileSync(path.join(cgroup, 'pids.current'), 'utf8')) - 2 - threadsOf(target)
      : (): number => childrenOf(target).length - 1;
    const cpu0 = cpuTicks(target);
    const t0 = performance.now();
    if (scenario === 'burst') process.kill(target, 'SIGCONT');
    else if (gateFd !== null) {
      fs.closeSync(gateFd);
      gateFd = null;
    }
    const samples: [number, number][] = [];
    for (;;) {
      const now = performance.now() - t0;
      const left = Math.max(0, unreaped());
      samples.push([now, left]);
      if (left === 0) break;
      if (now > 120000) throw new Error(`${init.name}: ${left} orphans still unreaped after 120 s`);
      await delay(cgroup ? 1 : 20);
    }
    const drainMs = samples.at(-1)?.[0] ?? 0;
    const cpuMs = ((cpuTicks(target) - cpu0) * 1000) / CLOCK_TICKS;

    fs.closeSync(doneFd);
    await waitFor(() => unshare.exitCode !== null || unshare.signalCode !== null, 10000, `${init.name} to exit`);
    const stats = fs.existsSync(statsFile) ? (JSON.parse(fs.readFileSync(statsFile, 'utf8')) as Round['stats']) : null;
    return { drainMs, cpuMs, samples, stats };
  } finally {
    if (gateFd !== null) fs.closeSync(gateFd);
    fs.closeSync(aliveFd);
    // Killing the namespace's init makes the kernel kill everything left inside it.
    if (unshare.exitCode === null && unshare.signalCode === null && initPid > 0) process.kill(initPid, 'SIGKILL');
    await waitFor(() => unshare.exitCode !== null || unshare.signalCode !== null, 10000, 'the namespace to end').catch(() => undefined);
    if (cgroup) await waitFor(() => removeCgroup(cgroup), 10000, `${cgroup} to empty`).catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function removeCgroup(dir: string): boolean {
  try {
    fs.rmdirSync(dir);
    return true;
  } catch {
    return false;
  }
}

function leftAt(samples: [number, number][], ms: number): number {
  let left = samples[0]?.[1] ?? 0;
  for (const [t, n] of samples) {
    if (t > ms) break;
    left = n;
  }
  return left;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const orphans = option('orphans', 20000);
  const rounds = option('rounds', 3);
  if (spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status !== 0) {
    throw new Error('unshare --pid --fork --mount-proc failed: run this benchmark as root on Linux');
  }
  const pid1Script = path.join(repoRoot, 'dist', 'bench', 'reap-pid1.js');
  const inits: Init[] = [{ name: 'zinit-ts', argv: (command) => [process.execPath, pid1Script, ...command] }];
  const tini = onPath('tini');
  if (tini) inits.push({ name: 'tini', argv: (command) => [tini, '--', ...command] });
  else console.log('tini not found (Debian package `tini`): its column is skipped.');

  console.log(`Reaping ${orphans} orphans as PID 1, ${rounds} rounds per cell, ${os.cpus().length} cores, Node ${process.version}; medians.`);
  const rows: string[][] = [];
  const series: string[][] = [];
  for (const scenario of ['burst', 'live'] as const) {
    for (const init of inits) {
      const results: Round[] = [];
      for (let r = 0; r < rounds; r++) results.push(await runRound(init, scenario, orphans));
      const drain = median(results.map((x) => x.drainMs));
      const cpu = median(results.map((x) => x.cpuMs));
      const typical = results.find((x) => x.drainMs === drain) ?? results[0];
      const stats = typical?.stats;
      rows.push([
        scenario,
        init.name,
        drain.toFixed(0),
        ((orphans / drain) * 1000).toFixed(0),
        ((cpu * 1000) / orphans).toFixed(1),
        stats ? `${stats.passes} / ${stats.fallbackScans}` : '-',
      ]);
      series.push([scenario, init.name, ...SAMPLE_AT_MS.map((ms) => String(leftAt(typical?.samples ?? [], ms)))]);
    }
  }

  const print = (header: string[], body: string[][]): void => {
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
    const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padStart(widths[i] ?? 0)).join(' | ')} |`;
    console.log(line(header));
    console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
    for (const row of body) console.log(line(row));
  };
  console.log('');
  print(['scenario', 'init', 'drain ms', 'orphans/s', 'CPU µs/orphan', 'passes / scans'], rows);
  console.log('\nUnreaped orphans (zombies in burst; live or zombie in live) at ms after the start:');
  print(['scenario', 'init', ...SAMPLE_AT_MS.map(String)], series);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
