// Status of 200 services: each manager's CLI wall time (median of 10), and zinit-ts's `service_list` RPC latency over one connection (node dist/bench/status.js [PEER…]).
import { RpcClient } from '../src/ipc/client.js';
import { getconf } from './bench-machine.js';
import { isMain, progress, withManager } from './bench-run.js';
import { failed, median, percentile, renderNotes, renderTable, type BenchResult, type Row } from './bench-table.js';
import { idle } from './bench-workloads.js';
import { probeAll, selectedPeers } from './peers-all.js';
import type { Peer } from './peers.js';

const SERVICES = 200;
const READY_TIMEOUT_MS = 180_000;
const SETTLE_MS = 3000;
const CLI_RUNS = 10;
const RPC_CALLS = 1000;
const RPC_WARMUP = 100;
const RPC_TIMEOUT_MS = 5000;

interface RpcFigures {
  readonly p50: number;
  readonly p99: number;
}

async function rpcLatency(socket: string): Promise<RpcFigures> {
  const client = await RpcClient.connect(socket, { timeoutMs: 2000 });
  try {
    const ms: number[] = [];
    for (let i = 0; i < RPC_WARMUP + RPC_CALLS; i += 1) {
      const t0 = performance.now();
      const answer = await client.call('service_list', undefined, { timeoutMs: RPC_TIMEOUT_MS });
      if (i >= RPC_WARMUP) ms.push(performance.now() - t0);
      if (typeof answer !== 'object' || answer === null || Object.keys(answer).length !== SERVICES) throw new Error(`service_list answered ${JSON.stringify(answer).slice(0, 80)}`);
    }
    return { p50: percentile(ms, 0.5), p99: percentile(ms, 0.99) };
  } finally {
    await client.close();
  }
}

interface PeerStatus {
  readonly cliMs: number;
  readonly cliCpuMs: number;
  readonly rpc: RpcFigures | null;
  readonly label: string;
}

async function once(peer: Peer, tickMs: number): Promise<PeerStatus | null> {
  return withManager(peer, () => idle(SERVICES), { readyTimeoutMs: READY_TIMEOUT_MS, settleMs: SETTLE_MS }, async (ns, m) => {
    const cmd = m.statusCommand;
    if (cmd === null) return null;
    const times: number[] = [];
    const cpu: number[] = [];
    // One run first, untimed: page cache and the manager's first answer are not what is compared.
    for (let i = 0; i <= CLI_RUNS; i += 1) {
      const r = await ns.exec(cmd.argv, cmd.env ?? {}, 30_000);
      if (r.code !== 0) throw new Error(`${cmd.argv.join(' ')} exited ${r.code ?? r.signal}: ${r.stderr.trim()}`);
      if (r.bytes === 0) throw new Error(`${cmd.argv.join(' ')} printed nothing`);
      if (i > 0) {
        times.push(r.ms);
        cpu.push(r.cpuTicks * tickMs);
      }
    }
    const rpc = m.socket === undefined ? null : await rpcLatency(m.socket);
    return { cliMs: median(times), cliCpuMs: median(cpu), rpc, label: cmd.argv.map((a) => a.replace(/\/tmp\/zinit-bench-[^/ ]+\//g, '').replace(/^\/\S*\//, '')).join(' ') };
  });
}

export async function benchStatus(opts: { peers?: readonly Peer[] } = {}): Promise<BenchResult> {
  const peers = opts.peers ?? selectedPeers();
  const probes = await probeAll(peers);
  const tickMs = 1000 / (getconf('CLK_TCK') ?? 100);
  const cli: Row['cells'] = {};
  const p50: Row['cells'] = {};
  const p99: Row['cells'] = {};
  const notes: string[] = [];
  for (const peer of peers) {
    if (!probes.get(peer.name)?.present) {
      cli[peer.name] = { missing: 'absent' };
      continue;
    }
    progress(`status: ${SERVICES} services — ${peer.name}`);
    try {
      const r = await once(peer, tickMs);
      if (r === null) {
        cli[peer.name] = { missing: 'n/a (no status command)' };
        continue;
      }
      cli[peer.name] = { value: r.cliMs, text: `${r.cliMs.toFixed(0)} ms (CPU ${r.cliCpuMs.toFixed(0)} ms)` };
      notes.push(`${peer.name}: ${r.label}`);
      if (r.rpc) {
        p50[peer.name] = { value: r.rpc.p50, text: `${r.rpc.p50.toFixed(2)} ms` };
        p99[peer.name] = { value: r.rpc.p99, text: `${r.rpc.p99.toFixed(2)} ms` };
      }
    } catch (err) {
      progress(`  ${peer.name} failed: ${(err as Error).message}`);
      cli[peer.name] = failed(err);
    }
  }
  return {
    title: 'status',
    rows: [
      { work: `status of ${SERVICES} services: CLI wall`, cells: cli },
      { work: `RPC service_list (${SERVICES} services) p50, ${RPC_CALLS} calls on one connection`, cells: p50 },
      { work: `RPC service_list p99`, cells: p99 },
    ],
    notes: [`CLI: median of ${CLI_RUNS} runs after one untimed run, wall from spawn to exit inside the namespace, and its user+system CPU (the command and what it waited for; ${tickMs} ms ticks); RPC: from the bench process after ${RPC_WARMUP} warm-up calls`, ...notes],
  };
}

if (isMain(import.meta.url)) {
  const peers = selectedPeers(process.argv.slice(2));
  const result = await benchStatus({ peers });
  console.log(renderTable([result], peers.map((p) => p.name)));
  console.log(renderNotes([result]));
}
