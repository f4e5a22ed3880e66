// Stop time and processes left, per manager: 50 services × 20 processes, 10 double-forked escapees, 10 services ignoring SIGTERM (node dist/bench/shutdown.js [PEER…]).
import type { LeftProcess } from './bench-namespace.js';
import { isMain, progress, runsFromEnv, withManager } from './bench-run.js';
import { failed, median, renderNotes, renderTable, type BenchResult, type Cell, type Row } from './bench-table.js';
import { escapees, stubborn, trees, type Workload } from './bench-workloads.js';
import { probeAll, selectedPeers } from './peers-all.js';
import type { Peer } from './peers.js';

const READY_TIMEOUT_MS = 120_000;
const SETTLE_MS = 1500;
const STOP_TIMEOUT_MS = 60_000;

interface Case {
  readonly work: string;
  readonly make: (dir: string) => Workload;
}

const CASES: readonly Case[] = [
  { work: 'stop 50 services × 20 processes: s, left', make: (d) => trees(d, 50, 20) },
  { work: 'stop 10 services with a setsid grandchild: s, left', make: (d) => escapees(d, 10) },
  { work: 'stop 10 services ignoring SIGTERM, 1 s grace: s, left', make: (d) => stubborn(d, 10, 1000) },
];

interface RunFigures {
  readonly seconds: number;
  readonly left: readonly LeftProcess[];
  readonly stopLabel: string;
}

async function once(peer: Peer, c: Case): Promise<RunFigures> {
  return withManager(peer, c.make, { readyTimeoutMs: READY_TIMEOUT_MS, settleMs: SETTLE_MS }, async (ns, m) => {
    const r = await ns.stop(m.pid, m.stop, STOP_TIMEOUT_MS);
    if (!r.exited) throw new Error(`did not exit within ${STOP_TIMEOUT_MS / 1000} s`);
    return { seconds: r.ms / 1000, left: r.left, stopLabel: m.stopLabel };
  });
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
  const rows: Row[] = [];
  const notes = new Set<string>();
  for (const c of CASES) {
    const cells: Row['cells'] = {};
    for (const peer of peers) {
      const probe = probes.get(peer.name);
      if (!probe?.present) {
        cells[peer.name] = { missing: 'absent' };
        continue;
      }
      const figures: RunFigures[] = [];
      let cell: Cell | null = null;
      for (let i = 0; i < runs && cell === null; i += 1) {
        progress(`shutdown: ${c.work} — ${peer.name} run ${i + 1}/${runs}`);
        try {
          figures.push(await once(peer, c));
        } catch (err) {
          progress(`  ${peer.name} failed: ${(err as Error).message}`);
          cell = failed(err);
        }
      }
      if (cell === null) {
        const s = median(figures.map((f) => f.seconds));
        const left = median(figures.map((f) => f.left.length));
        const range = figures.map((f) => f.left.length);
        const leftText = Math.min(...range) === Math.max(...range) ? `${left}` : `${left} (${Math.min(...range)}–${Math.max(...range)})`;
        cell = { value: s, text: `${s.toFixed(2)} s, ${leftText} left` };
        const first = figures[0];
        if (first) {
          notes.add(`${peer.name}: stopped by ${first.stopLabel}`);
          if (first.left.length > 0) notes.add(`${peer.name}, ${c.work.split(':')[0] ?? ''}: left ${describeLeft(first.left)}`);
        }
      }
      cells[peer.name] = cell;
    }
    rows.push({ work: c.work, cells });
  }
  return {
    title: 'shutdown',
    rows,
    notes: [
      `median of ${runs} runs; time from the stop request to the manager's exit (performance.now() in the namespace's PID 1); left = live processes in the namespace after that exit`,
      'grace: each manager\'s default in the first two cases; 1 s in the third (zinit-ts shutdown_timeout, supervisord stopwaitsecs, s6 timeout-kill, pm2 kill_timeout; tini has none)',
      ...notes,
    ],
  };
}

if (isMain(import.meta.url)) {
  const peers = selectedPeers(process.argv.slice(2));
  const result = await benchShutdown({ peers });
  console.log(renderTable([result], peers.map((p) => p.name)));
  console.log(renderNotes([result]));
}
