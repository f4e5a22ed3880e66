// The daemon with 200 idle services against Node's own floor, in the same run on the same Node: RSS, CPU and wake-ups as ratios (node dist/bench/idle-floor.js).
import { spawn } from 'node:child_process';
import { isMain, progress, runsFromEnv, sleep, withManager } from './bench-run.js';
import { median } from './bench-table.js';
import { idle } from './bench-workloads.js';
import { zinitPeer } from './peers-zinit.js';
import { threadUsage, type ThreadUsage } from './proc-usage.js';

const SERVICES = 200;
const READY_TIMEOUT_MS = 180_000;
// The daemon trims 5 s after its last burst and V8 runs its memory reducer some 15–25 s after start-up.
const SETTLE_MS = 30_000;
const WINDOW_MS = 20_000;
/** The floor of the targets: what `node -e 'setInterval(()=>{},1e3)'` costs on the same Node. */
const FLOOR_SCRIPT = 'setInterval(()=>{},1e3)';
export const TARGETS = { rssRatio: 1.3, cpuMsPer20s: 10, wakeupsPerS: 1 } as const;

interface Side {
  readonly rssMiB: number;
  readonly cpuMs: number;
  readonly wakeupsPerS: number;
  readonly threads: number;
}

export interface IdleFloorRun {
  readonly daemon: Side;
  readonly floor: Side;
}

function side(u0: ThreadUsage, u1: ThreadUsage): Side {
  return {
    rssMiB: u1.rssKiB / 1024,
    cpuMs: (u1.cpuNs - u0.cpuNs) / 1e6,
    wakeupsPerS: (u1.wakeups - u0.wakeups) / (WINDOW_MS / 1000),
    threads: u1.threads,
  };
}

async function once(): Promise<IdleFloorRun> {
  // Started with the daemon and measured over the same window, so both see the same machine.
  const floor = spawn(process.execPath, ['-e', FLOOR_SCRIPT], { stdio: 'ignore' });
  try {
    const floorPid = floor.pid;
    if (floorPid === undefined) throw new Error('the floor process did not start');
    return await withManager(zinitPeer, () => idle(SERVICES), { readyTimeoutMs: READY_TIMEOUT_MS, settleMs: SETTLE_MS }, async (ns, m) => {
      const [d0, f0] = [await ns.usage([m.pid]), threadUsage(floorPid)];
      await sleep(WINDOW_MS);
      const [d1, f1] = [await ns.usage([m.pid]), threadUsage(floorPid)];
      return { daemon: side(d0, d1), floor: side(f0, f1) };
    });
  } finally {
    floor.kill('SIGKILL');
  }
}

export async function benchIdleFloor(runs = runsFromEnv()): Promise<string> {
  const all: IdleFloorRun[] = [];
  for (let i = 0; i < runs; i += 1) {
    progress(`idle-floor: ${SERVICES} services on node ${process.version} — run ${i + 1}/${runs}`);
    all.push(await once());
  }
  const med = (f: (r: IdleFloorRun) => number): number => median(all.map(f));
  const d = { rss: med((r) => r.daemon.rssMiB), cpu: med((r) => r.daemon.cpuMs), wake: med((r) => r.daemon.wakeupsPerS), threads: med((r) => r.daemon.threads) };
  const f = { rss: med((r) => r.floor.rssMiB), cpu: med((r) => r.floor.cpuMs), wake: med((r) => r.floor.wakeupsPerS), threads: med((r) => r.floor.threads) };
  const ratio = med((r) => r.daemon.rssMiB / r.floor.rssMiB);
  const mark = (ok: boolean): string => (ok ? 'met' : 'NOT met');
  return [
    `node ${process.version} (${process.execPath}), ${SERVICES} idle services, median of ${runs} run(s); ${SETTLE_MS / 1000} s of settling, then a ${WINDOW_MS / 1000} s window`,
    '',
    '| | zinit-ts daemon | Node floor | ratio | target |',
    '|---|---|---|---|---|',
    `| RSS | ${d.rss.toFixed(1)} MiB | ${f.rss.toFixed(1)} MiB | ×${ratio.toFixed(2)} | ≤ ×${TARGETS.rssRatio}: ${mark(ratio <= TARGETS.rssRatio)} |`,
    `| CPU over ${WINDOW_MS / 1000} s, all threads | ${d.cpu.toFixed(1)} ms | ${f.cpu.toFixed(1)} ms | ${f.cpu > 0 ? `×${(d.cpu / f.cpu).toFixed(1)}` : '—'} | ≤ ${TARGETS.cpuMsPer20s} ms: ${mark(d.cpu <= TARGETS.cpuMsPer20s)} |`,
    `| main-thread wake-ups | ${d.wake.toFixed(2)}/s | ${f.wake.toFixed(2)}/s | ${f.wake > 0 ? `×${(d.wake / f.wake).toFixed(2)}` : '—'} | ≤ ${TARGETS.wakeupsPerS}/s: ${mark(d.wake <= TARGETS.wakeupsPerS)} |`,
    `| threads | ${d.threads} | ${f.threads} | | |`,
    '',
    `floor: \`${process.execPath} -e '${FLOOR_SCRIPT}'\`, started with the daemon and sampled at the same instants. CPU: /proc/PID/task/*/schedstat;`,
    'wake-ups: the main thread\'s voluntary_ctxt_switches (each is the event loop blocking again); RSS: VmRSS at the end of the window.',
  ].join('\n');
}

if (isMain(import.meta.url)) console.log(await benchIdleFloor());
