// Stop time and processes left, per manager: trees, escaped and live-parent workers, TERM-ignoring services, a busy host (node dist/bench/shutdown.js [PEER…]).
import type { LeftProcess } from './bench-namespace.js';
import { isMain, ownLeft, progress, runsFromEnv, withManager } from './bench-run.js';
import { failed, isFigure, median, renderNotes, renderTable, type BenchResult, type Cell, type Row } from './bench-table.js';
import { escapees, liveParent, ownGroup, stubborn, trees, withUnrelated, type Workload } from './bench-workloads.js';
import { probeAll, selectedPeers } from './peers-all.js';
import type { Peer, PeerName } from './peers.js';

const READY_TIMEOUT_MS = 120_000;
const SETTLE_MS = 1500;
const STOP_TIMEOUT_MS = 60_000;

const HOST_PROCESSES = 20_000;

interface Case {
  readonly work: string;
  readonly make: (dir: string) => Workload;
  /** Only these managers (the busy-host pair compares zinit-ts with itself; tini is the floor). */
  readonly only?: readonly PeerName[];
}

const HOST_QUIET = 'stop 10 services × 20 processes, nothing else running: s, left';
const HOST_BUSY = `the same with ${HOST_PROCESSES.toLocaleString('en')} unrelated processes in the namespace: s, left`;

const CASES: readonly Case[] = [
  { work: 'stop 50 services × 20 processes: s, left', make: (d) => trees(d, 50, 20) },
  { work: 'stop 10 services with a double-forked setsid grandchild (parent gone): s, left', make: (d) => escapees(d, 10) },
  { work: 'stop 10 services with a setsid worker under a live parent: s, left', make: (d) => liveParent(d, 10) },
  { work: 'stop 10 services with a set -m worker (own process group): s, left', make: (d) => ownGroup(d, 10) },
  { work: 'stop 10 services ignoring SIGTERM, 1 s grace: s, left', make: (d) => stubborn(d, 10, 1000) },
  { work: HOST_QUIET, make: (d) => trees(d, 10, 20), only: ['zinit-ts', 'tini'] },
  { work: HOST_BUSY, make: (d) => withUnrelated(trees(d, 10, 20), HOST_PROCESSES), only: ['zinit-ts', 'tini'] },
];

/** ZINIT_BENCH_CASES=1,3 runs the first and third case only (numbered as in the table). */
function casesFromEnv(): readonly Case[] {
  const wanted = (process.env.ZINIT_BENCH_CASES ?? '').split(',').filter(Boolean).map(Number);
  return wanted.length === 0 ? CASES : CASES.filter((_, i) => wanted.includes(i + 1));
}

interface RunFigures {
  readonly seconds: number;
  readonly left: readonly LeftProcess[];
  readonly stopLabel: string;
}

async function once(peer: Peer, c: Case): Promise<RunFigures> {
  return withManager(peer, c.make, { readyTimeoutMs: READY_TIMEOUT_MS, settleMs: SETTLE_MS }, async (ns, m) => {
    const r = await ns.stop(m.pid, m.stop, STOP_TIMEOUT_MS);
    if (!r.exited) throw new Error(`did not exit within ${STOP_TIMEOUT_MS / 1000} s`);
    return { seconds: r.ms / 1000, left: ownLeft(r.left), stopLabel: m.stopLabel };
  });
}

/** zinit-ts's figure of each row as a multiple of each peer's in the same run (below 1: zinit-ts is faster). */
function zinitRatios(rows: readonly Row[]): string[] {
  const out: string[] = [];
  for (const r of rows) {
    const z = r.cells['zinit-ts'];
    if (!isFigure(z)) continue;
    const parts = (Object.entries(r.cells) as [PeerName, Cell][]).flatMap(([name, c]) =>
      name !== 'zinit-ts' && isFigure(c) && c.value > 0 ? [`×${(z.value / c.value).toFixed(2)} ${name}`] : [],
    );
    if (parts.length > 0) out.push(`zinit-ts ${r.work.split(':')[0] ?? ''}: ${parts.join(', ')}`);
  }
  return out;
}

/** Each manager's busy-host stop as a multiple of its quiet one: what discovery's cost grows with. */
function hostRatios(rows: readonly Row[]): string[] {
  const quiet = rows.find((r) => r.work === HOST_QUIET);
  const busy = rows.find((r) => r.work === HOST_BUSY);
  if (!quiet || !busy) return [];
  const out: string[] = [];
  for (const [name, q] of Object.entries(quiet.cells) as [PeerName, Cell][]) {
    const b = busy.cells[name];
    if (isFigure(q) && isFigure(b) && q.value > 0) out.push(`${name}: the stop with ${HOST_PROCESSES} unrelated processes takes ×${(b.value / q.value).toFixed(2)} the quiet one`);
  }
  return out;
}

/** "950 × sleep 100000, 50 × /bin/sh …" */
function describeLeft(left: readonly LeftProcess[]): string {
  const byCmd = new Map<string, number>();
  for (const p of left) byCmd.set(p.cmdline.replace(/\/tmp\/[^ ]*\//g, ''), (byCmd.get(p.cmdline.replace(/\/tmp\/[^ ]*\//g, '')) ?? 0) + 1);
  return [...byCmd].map(([cmd, n]) => `${n} × ${cmd || '?'}`).join(', ');
}

export async function benchShutdown(opts: { runs?: number; peers?: readonly Peer[] } = {}): Promise<BenchResult> {
  const runs = opts.runs ?? runsFromEnv();
  const peers = opts.peers ?? selectedPeers();
  const probes = await probeAll(peers);
  const cases = casesFromEnv();
  const cellKey = (c: Case, peer: Peer): string => `${c.work}\0${peer.name}`;
  const figures = new Map<string, RunFigures[]>();
  const broken = new Map<string, Cell>();
  const runnable = (c: Case, peer: Peer): boolean => (c.only === undefined || c.only.includes(peer.name)) && probes.get(peer.name)?.present === true;
  // Round by round, every case and manager once per round: a load that drifts during the bench weighs on all
  // figures alike, and a pair of cases (the quiet and the busy host) is compared within each round.
  for (let i = 0; i < runs; i += 1) {
    for (const c of cases) {
      for (const peer of peers) {
        const k = cellKey(c, peer);
        if (!runnable(c, peer) || broken.has(k)) continue;
        progress(`shutdown: ${c.work} — ${peer.name} run ${i + 1}/${runs}`);
        try {
          const f = await once(peer, c);
          figures.set(k, [...(figures.get(k) ?? []), f]);
        } catch (err) {
          progress(`  ${peer.name} failed: ${(err as Error).message}`);
          broken.set(k, failed(err));
        }
      }
    }
  }
  const rows: Row[] = [];
  const notes = new Set<string>();
  for (const c of cases) {
    const cells: Row['cells'] = {};
    for (const peer of peers) {
      const k = cellKey(c, peer);
      const fs = figures.get(k) ?? [];
      if (c.only && !c.only.includes(peer.name)) cells[peer.name] = { missing: 'not run' };
      else if (!probes.get(peer.name)?.present) cells[peer.name] = { missing: 'absent' };
      else cells[peer.name] = broken.get(k) ?? summarize(fs);
      const first = fs[0];
      if (first && !broken.has(k)) {
        notes.add(`${peer.name}: stopped by ${first.stopLabel}`);
        if (first.left.length > 0) notes.add(`${peer.name}, ${c.work.split(':')[0] ?? ''}: left ${describeLeft(first.left)}`);
      }
    }
    rows.push({ work: c.work, cells });
  }
  for (const n of [...zinitRatios(rows), ...hostRatios(rows)]) notes.add(n);
  return {
    title: 'shutdown',
    rows,
    notes: [
      `median of ${runs} runs, taken round by round; time from the stop request to the manager's exit (performance.now() in the namespace's PID 1); left = live processes in the namespace after that exit`,
      'grace: each manager\'s default, except 1 s for the services ignoring SIGTERM (zinit-ts shutdown_timeout, supervisord stopwaitsecs, s6 timeout-kill, pm2 kill_timeout; tini has none)',
      ...notes,
    ],
  };
}

function summarize(figures: readonly RunFigures[]): Cell {
  const s = median(figures.map((f) => f.seconds));
  const range = figures.map((f) => f.left.length);
  const left = median(range);
  const leftText = Math.min(...range) === Math.max(...range) ? `${left}` : `${left} (${Math.min(...range)}–${Math.max(...range)})`;
  return { value: s, text: `${s.toFixed(2)} s, ${leftText} left` };
}

if (isMain(import.meta.url)) {
  const peers = selectedPeers(process.argv.slice(2));
  const result = await benchShutdown({ peers });
  console.log(renderTable([result], peers.map((p) => p.name)));
  console.log(renderNotes([result]));
}
