// The stop in cgroup mode against /proc mode, same run, same work: time to a clean exit and what was left (node dist/bench/cgroup-stop.js).
import fs from 'node:fs';
import path from 'node:path';
import { isMain, ownLeft, progress, runsFromEnv, withManager } from './bench-run.js';
import { median } from './bench-table.js';
import { envCleared, escapees, liveParent, ownGroup, stubborn, trees, type Workload } from './bench-workloads.js';
import { zinitPeerWith } from './peers-zinit.js';
import type { Peer } from './peers.js';

const READY_TIMEOUT_MS = 120_000;
const SETTLE_MS = 1500;
const STOP_TIMEOUT_MS = 60_000;

interface Case {
  readonly work: string;
  readonly make: (dir: string) => Workload;
}

const CASES: readonly Case[] = [
  { work: 'stop 50 services × 20 processes', make: (d) => trees(d, 50, 20) },
  { work: 'stop 10 services, each with an env-cleared double-forked setsid loop', make: (d) => envCleared(d, 10) },
  { work: 'stop 10 services, each with a double-forked setsid loop (environment kept)', make: (d) => escapees(d, 10) },
  { work: 'stop 10 services with a setsid worker under a live parent', make: (d) => liveParent(d, 10) },
  { work: 'stop 10 services with a set -m worker (own process group)', make: (d) => ownGroup(d, 10) },
  { work: 'stop 10 services ignoring SIGTERM, 1 s grace', make: (d) => stubborn(d, 10, 1000) },
];

/** ZINIT_BENCH_CASES=1,2 runs the first and second case only. */
function casesFromEnv(): readonly Case[] {
  const wanted = (process.env.ZINIT_BENCH_CASES ?? '').split(',').filter(Boolean).map(Number);
  return wanted.length === 0 ? CASES : CASES.filter((_, i) => wanted.includes(i + 1));
}

const MODES: readonly { readonly label: string; readonly peer: Peer }[] = [
  { label: 'cgroup', peer: zinitPeerWith(['--cgroup', 'auto', '--require-cgroup']) },
  { label: '/proc', peer: zinitPeerWith(['--cgroup', 'off']) },
];

interface Figures {
  readonly seconds: number;
  readonly left: number;
  /** Killed by the final sweep (SIGKILL, never the stop signal): what the services' own stops did not find. */
  readonly swept: number;
}

async function once(peer: Peer, c: Case): Promise<Figures> {
  return withManager(peer, c.make, { readyTimeoutMs: READY_TIMEOUT_MS, settleMs: SETTLE_MS }, async (ns, m, dir) => {
    const r = await ns.stop(m.pid, m.stop, STOP_TIMEOUT_MS);
    if (!r.exited) throw new Error(`did not exit within ${STOP_TIMEOUT_MS / 1000} s`);
    const log = fs.readFileSync(path.join(dir, 'manager.log'), 'utf8');
    return { seconds: r.ms / 1000, left: ownLeft(r.left).length, swept: Number(/swept: (\d+) leftover/.exec(log)?.[1] ?? Number.NaN) };
  });
}

export async function benchCgroupStop(): Promise<string> {
  const runs = runsFromEnv();
  const lines = ['| work | cgroup mode: s, left, swept | /proc mode: s, left, swept | cgroup / /proc (s) |', '|---|---|---|---|'];
  for (const c of casesFromEnv()) {
    const figures: Figures[][] = MODES.map(() => []);
    // Modes alternate run by run, so a change in the machine's load falls on both.
    for (let i = 0; i < runs; i++) {
      for (const [m, mode] of MODES.entries()) {
        progress(`${c.work}: ${mode.label}, run ${i + 1}/${runs}`);
        try {
          figures[m]?.push(await once(mode.peer, c));
        } catch (err) {
          progress(`  failed: ${(err as Error).message.split('\n')[0] ?? ''}`);
        }
      }
    }
    const medians = figures.map((fs) => median(fs.map((f) => f.seconds)));
    const cells = figures.map((fs, m) =>
      fs.length === 0 ? 'failed' : `${(medians[m] ?? Number.NaN).toFixed(3)}, ${Math.max(...fs.map((f) => f.left))} left, ${Math.max(...fs.map((f) => f.swept))} swept`,
    );
    const [cg, proc] = medians;
    const ratio = cg !== undefined && proc !== undefined && proc > 0 && Number.isFinite(cg) ? `×${(cg / proc).toFixed(2)}` : '-';
    lines.push(`| ${c.work} | ${cells.join(' | ')} | ${ratio} |`);
  }
  return [
    `cgroup mode against /proc mode, median of ${runs} run(s) each, the daemon as PID 1 of a fresh namespace; "left": processes of the work alive after it exited; "swept": processes its services' own stops missed, SIGKILLed by the final sweep instead of getting the stop signal (most of any run)`,
    ...lines,
  ].join('\n');
}

if (isMain(import.meta.url)) process.stdout.write(`${await benchCgroupStop()}\n`);
