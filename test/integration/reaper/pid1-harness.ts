// Storm harness run as PID 1 of a fresh PID namespace (or as a subreaper): managed exits and orphans at once, JSON out.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import koffi from 'koffi';
import { installChildRegistry } from '../../../src/os/child-registry.js';
import { loadLibc } from '../../../src/os/libc.js';
import { listPids, readOwnChildren, readStat } from '../../../src/os/proc.js';
import { Reaper } from '../../../src/os/reaper.js';
import { fixture } from '../../helpers/paths.js';
import { waitFor } from '../../helpers/wait-for.js';

export type ReaperMode = 'on' | 'off' | 'naive';

export interface HarnessResult {
  mode: ReaperMode;
  pid1: boolean;
  managed: number;
  orphans: number;
  /** HOLD=1: the event loop was held until every gated process had exited, so libuv had reaped none of them. */
  held: boolean;
  /** Times the reaper called waitpid on a pid that child_process owned: must stay 0. */
  managedTouched: number;
  /** Orphans seen with this process as their parent before the release. */
  orphansReparented: number;
  exitsSeen: number;
  missing: number;
  wrong: number;
  wrongExamples: string[];
  /** Zombies whose parent is this process, at the end. */
  zombieChildren: number;
  /** Zombies anywhere in /proc at the end (the whole namespace when PID 1). */
  zombiesInProc: number;
  releaseToExitsMs: number | null;
  releaseToDrainMs: number | null;
  reaper: { reaped: number; passes: number; fallbackScans: number } | null;
}

const SIGNALS = ['SIGKILL', 'SIGTERM', 'SIGSEGV'] as const;

/** Child i: every 8th dies by a signal, the others exit with distinct codes spread over 0-255. */
function expectation(i: number): { code: number | null; signal: string | null } {
  if (i % 8 === 5) return { code: null, signal: SIGNALS[(i >> 3) % SIGNALS.length] ?? 'SIGKILL' };
  return { code: (i * 53) % 256, signal: null };
}

function envInt(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${process.env[name]}`);
  return value;
}

const quietly = async (probe: () => boolean, ms: number): Promise<boolean> =>
  waitFor(probe, ms, 'condition', 25).then(
    () => true,
    () => false,
  );

function startNaive(): () => void {
  // The wrong way on purpose: wait for any child, which takes exit statuses libuv is waiting for.
  const waitpid = koffi.load('libc.so.6').func('int waitpid(int pid, _Out_ int *status, int options)');
  const drain = (): void => {
    const status = [0];
    while ((waitpid(-1, status, 1) as number) > 0);
  };
  process.on('SIGCHLD', drain);
  setInterval(drain, 100).unref();
  return drain;
}

async function run(mode: ReaperMode): Promise<HarnessResult> {
  const registry = installChildRegistry();
  const loaded = loadLibc();
  if ('error' in loaded) throw new Error(loaded.error);
  const { libc } = loaded;
  const self = libc.getpid();
  const pid1 = self === 1;
  if (!pid1) libc.setChildSubreaper();

  const managedCount = envInt('MANAGED', 200);
  const orphanCount = envInt('ORPHANS', 1000);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zinit-storm-'));
  const gate = path.join(dir, 'gate');
  if (spawnSync('mkfifo', [gate]).status !== 0) throw new Error(`mkfifo ${gate} failed`);
  // Held open for writing so readers open without blocking; closing it is the one moment everyone exits.
  const gateFd = fs.openSync(gate, 'r+');

  let reaper: Reaper | null = null;
  let managedTouched = 0;
  let naiveDrain = (): void => {};
  if (mode === 'on') {
    const watched = {
      waitidPeek: () => libc.waitidPeek(),
      waitpidNoHang: (pid: number) => {
        if (registry.has(pid)) managedTouched++;
        return libc.waitpidNoHang(pid);
      },
    };
    reaper = new Reaper({ libc: watched, isManaged: (pid) => registry.has(pid), listOwnChildren: () => readOwnChildren() });
    reaper.start();
  } else if (mode === 'naive') {
    naiveDrain = startNaive();
  }

  const exits = new Map<number, { code: number | null; signal: string | null }>();
  for (let i = 0; i < managedCount; i++) {
    const { code, signal } = expectation(i);
    const child = spawn(fixture('reap-wait-exit.sh'), [gate, String(code ?? signal)], { stdio: 'ignore', cwd: dir });
    child.on('exit', (c, s) => exits.set(i, { code: c, signal: s }));
  }
  let stormExit: { code: number | null; signal: string | null } | null = null;
  const storm = spawn(fixture('orphan-storm.sh'), [String(orphanCount), gate], { stdio: 'ignore', cwd: dir });
  storm.on('exit', (c, s) => {
    stormExit = { code: c, signal: s };
  });
  const stormPid = storm.pid ?? -1;

  const gated = (): number[] =>
    listPids().filter((pid) => {
      try {
        return fs.readlinkSync(`/proc/${pid}/fd/0`) === gate;
      } catch {
        return false;
      }
    });
  let waiting: number[] = [];
  const ready = await quietly(() => {
    waiting = gated();
    // The naive mode may steal the storm's own exit: its disappearance from /proc counts as well.
    const stormGone = stormExit !== null || readStat(stormPid) === null;
    return stormGone && waiting.length >= managedCount + orphanCount;
  }, 60000);
  if (!ready) throw new Error(`only ${waiting.length} of ${managedCount + orphanCount} processes reached the gate`);
  const orphansReparented = waiting.filter((pid) => !registry.has(pid) && readStat(pid)?.ppid === self).length;

  const held = process.env['HOLD'] === '1';
  const released = performance.now();
  fs.closeSync(gateFd);
  if (held) {
    // Synchronous on purpose: while JS holds the loop, libuv cannot reap, so every managed child is a zombie
    // at the head of the kernel's list when the reaper's pass runs: the case it must get right.
    // Zombie state, not the gate: the shells put fd 0 back right after read returns, before they exit.
    const deadline = Date.now() + 10000;
    while (!waiting.every((pid) => readStat(pid)?.state === 'Z') && Date.now() < deadline);
    if (reaper) reaper.reapNow();
    naiveDrain();
  }
  const allExited = await quietly(() => exits.size === managedCount, envInt('EXIT_WAIT_MS', 20000));
  const releaseToExitsMs = allExited ? performance.now() - released : null;

  const zombies = (): { children: number; all: number } => {
    let children = 0;
    let all = 0;
    for (const pid of listPids()) {
      const stat = readStat(pid);
      if (stat?.state !== 'Z') continue;
      all++;
      if (stat.ppid === self) children++;
    }
    return { children, all };
  };
  let last = zombies();
  const drained = await quietly(() => {
    last = zombies();
    return (pid1 ? last.all : last.children) === 0 && gated().length === 0;
  }, envInt('ZOMBIE_WAIT_MS', 10000));
  const releaseToDrainMs = drained ? performance.now() - released : null;

  const wrongExamples: string[] = [];
  let wrong = 0;
  for (const [i, got] of exits) {
    const want = expectation(i);
    if (got.code === want.code && got.signal === want.signal) continue;
    wrong++;
    if (wrongExamples.length < 10) wrongExamples.push(`child ${i}: want ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
  }
  const stormResult = stormExit as { code: number | null; signal: string | null } | null;
  if (stormResult?.code !== 0) {
    wrong++;
    wrongExamples.push(`orphan-storm.sh: got ${JSON.stringify(stormResult)}`);
  }
  fs.rmSync(dir, { recursive: true, force: true });

  return {
    mode,
    held,
    managedTouched,
    pid1,
    managed: managedCount,
    orphans: orphanCount,
    orphansReparented,
    exitsSeen: exits.size,
    missing: managedCount - exits.size,
    wrong,
    wrongExamples,
    zombieChildren: last.children,
    zombiesInProc: last.all,
    releaseToExitsMs,
    releaseToDrainMs,
    reaper: reaper ? reaper.stats : null,
  };
}

const mode = process.env['REAPER'];
// Without REAPER this file is being collected by a test runner: nothing to do.
if (mode === 'on' || mode === 'off' || mode === 'naive') {
  run(mode).then(
    (result) => {
      fs.writeSync(1, `${JSON.stringify(result)}\n`);
      // Handles of stolen children never close; as PID 1 the kernel ends whatever is left when this exits.
      process.exit(0);
    },
    (err: unknown) => {
      fs.writeSync(2, `${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
