// Cost of 200 idle services: the manager's RSS and PSS (smaps_rollup) and its CPU time over 20 s (node dist/bench/idle.js [PEER…]).
import { getconf } from './bench-machine.js';
import { isMain, progress, runsFromEnv, sleep, withManager } from './bench-run.js';
import { failed, median, renderNotes, renderTable, type BenchResult, type Cell, type Row } from './bench-table.js';
import { idle } from './bench-workloads.js';
import { probeAll, selectedPeers } from './peers-all.js';
import type { Peer, PeerName } from './peers.js';

const SERVICES = 200;
const READY_TIMEOUT_MS = 180_000;
// Node-based managers (zinit-ts, pm2) run a memory-reducing GC some 15–25 s after start-up; measure after it.
const SETTLE_MS = 30_000;
const WINDOW_MS = 20_000;

interface IdleFigures {
  readonly rssMiB: number;
  readonly pssMiB: number;
  readonly cpuMs: number;
  readonly processes: number;
}

async function once(peer: Peer, tickMs: number): Promise<IdleFigures> {
  return withManager(peer, () => idle(SERVICES), { readyTimeoutMs: READY_TIMEOUT_MS, settleMs: SETTLE_MS }, async (ns, m) => {
    const pids = await m.measuredPids(ns);
    const u0 = await ns.usage(pids);
    await sleep(WINDOW_MS);
    const u1 = await ns.usage(pids);
    return { rssMiB: u1.rssKiB / 1024, pssMiB: u1.pssKiB / 1024, cpuMs: (u1.ticks - u0.ticks) * tickMs, processes: pids.length };
  });
}

export async function benchIdle(opts: { runs?: number; peers?: readonly Peer[] } = {}): Promise<BenchResult> {
  const runs = opts.runs ?? runsFromEnv();
  const peers = opts.peers ?? selectedPeers();
  const probes = await probeAll(peers);
  const tickMs = 1000 / (getconf('CLK_TCK') ?? 100);
  const rss: Row['cells'] = {};
  const pss: Row['cells'] = {};
  const cpu: Row['cells'] = {};
  const set = (name: PeerName, c: Cell): void => {
    rss[name] = c;
    pss[name] = c;
    cpu[name] = c;
  };
  const notes: string[] = [];
  for (const peer of peers) {
    if (!probes.get(peer.name)?.present) {
      set(peer.name, { missing: 'absent' });
      continue;
    }
    const figures: IdleFigures[] = [];
    try {
      for (let i = 0; i < runs; i += 1) {
        progress(`idle: ${SERVICES} services — ${peer.name} run ${i + 1}/${runs}`);
        figures.push(await once(peer, tickMs));
      }
    } catch (err) {
      progress(`  ${peer.name} failed: ${(err as Error).message}`);
      set(peer.name, failed(err));
      continue;
    }
    const r = median(figures.map((f) => f.rssMiB));
    const p = median(figures.map((f) => f.pssMiB));
    const c = median(figures.map((f) => f.cpuMs));
    rss[peer.name] = { value: r, text: `${r.toFixed(1)} MiB` };
    pss[peer.name] = { value: p, text: `${p.toFixed(1)} MiB` };
    cpu[peer.name] = { value: c, text: `${c.toFixed(0)} ms` };
    const n = figures[0]?.processes ?? 1;
    if (n > 1) notes.push(`${peer.name}: ${n} processes summed (the scanner and one supervisor per service)`);
  }
  return {
    title: 'idle',
    rows: [
      { work: `${SERVICES} idle services: manager RSS`, cells: rss },
      { work: `${SERVICES} idle services: manager PSS`, cells: pss },
      { work: `${SERVICES} idle services: manager CPU over ${WINDOW_MS / 1000} s`, cells: cpu },
    ],
    notes: [
      `median of ${runs} runs; ${SETTLE_MS / 1000} s after every sleep runs, CPU = utime+stime delta from /proc/<pid>/stat over ${WINDOW_MS / 1000} s (${tickMs} ms ticks), then RSS and PSS from /proc/<pid>/smaps_rollup`,
      'tini: one child script that starts the 200 sleeps; pm2: the God daemon only',
      'PSS shares each page among the processes that map it: a Node-based manager\'s PSS falls while other node processes run on the machine (the bench\'s own included)',
      ...notes,
    ],
  };
}

if (isMain(import.meta.url)) {
  const peers = selectedPeers(process.argv.slice(2));
  const result = await benchIdle({ peers });
  console.log(renderTable([result], peers.map((p) => p.name)));
  console.log(renderNotes([result]));
}
