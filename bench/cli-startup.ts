// Wall time of `list --json` and `status NAME` against a daemon with 200 services, as multiples of `node -e 0` on the same Node (node dist/bench/cli-startup.js [CLI_ENTRY…]).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RpcClient } from '../src/ipc/client.js';
import { isMain, progress, sleep } from './bench-run.js';
import { median, percentile } from './bench-table.js';
import { ZINIT_CLI } from './peers-zinit.js';

const SERVICES = 200;
const STATUS_OF = 'idle-100';
const READY_TIMEOUT_MS = 60_000;
const SETTLE_MS = 2000;
const WARMUP_ROUNDS = 3;
const RUN_TIMEOUT_MS = 20_000;

interface Timed {
  readonly label: string;
  readonly argv: readonly string[];
  readonly prints: boolean;
  readonly ms: number[];
}

/**
 * The least a Node client can do for `status`: connect, send one call, print the answer, no
 * checks. What separates `node -e 0` from this is Node's own (loading net and streams, the
 * connection, the round trip), out of any CLI's reach.
 */
const REFERENCE_CLIENT = [
  "const s = require('node:net').createConnection(process.argv[1]); let b = '';",
  "s.on('connect', () => s.write(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'service_status', params: [process.argv[2]] }) + '\\n'));",
  "s.setEncoding('utf8');",
  "s.on('data', (d) => { b += d; const i = b.indexOf('\\n'); if (i >= 0) { process.stdout.write(JSON.stringify(JSON.parse(b.slice(0, i)).result, null, 2) + '\\n'); s.destroy(); } });",
].join(' ');

function pairsFromEnv(fallback = 30): number {
  const n = Number(process.env.ZINIT_BENCH_PAIRS);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** One run, timed from spawn to exit; the command must succeed and print something. */
function timeOnce(c: Timed): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, c.argv, { stdio: ['ignore', 'pipe', 'pipe'], timeout: RUN_TIMEOUT_MS, maxBuffer: 16 << 20 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0 || (c.prints && r.stdout.length === 0)) throw new Error(`${c.label} exited ${r.status ?? r.signal}: ${r.stderr.toString().trim() || 'no output'}`);
  return ms;
}

async function untilAllRunning(socket: string, daemonLog: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const running = await RpcClient.connect(socket, { timeoutMs: 1000 })
      .then(async (c) => {
        try {
          const list = (await c.call('service_statuses', undefined, { timeoutMs: 5000 })) as { state: string }[];
          return list.filter((s) => s.state === 'Running').length;
        } finally {
          await c.close();
        }
      })
      .catch(() => 0);
    if (running === SERVICES) return;
    if (Date.now() > deadline) throw new Error(`${running} of ${SERVICES} services running after ${READY_TIMEOUT_MS} ms\n${daemonLog().slice(-600)}`);
    await sleep(100);
  }
}

/** Each round runs every command once, in an order rotated by one each round, so no command always follows the same one. */
function rounds(commands: readonly Timed[], count: number, keep: boolean): void {
  for (let r = 0; r < count; r++) {
    for (let k = 0; k < commands.length; k++) {
      const c = commands[(r + k) % commands.length] as Timed;
      const ms = timeOnce(c);
      if (keep) c.ms.push(ms);
    }
  }
}

export async function benchCliStartup(entries: readonly string[], pairs: number): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zinit-bench-cli-'));
  const conf = path.join(dir, 'zinit');
  const socket = path.join(dir, 'zinit.sock');
  fs.mkdirSync(conf);
  for (let i = 1; i <= SERVICES; i++) fs.writeFileSync(path.join(conf, `idle-${i}.yaml`), 'exec: /bin/sleep 100000\n');
  let log = '';
  const daemon = spawn(process.execPath, [ZINIT_CLI, '-s', socket, 'init', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  daemon.stdout.on('data', (b: Buffer) => (log = (log + b.toString()).slice(-4096)));
  daemon.stderr.on('data', (b: Buffer) => (log = (log + b.toString()).slice(-4096)));
  const exited = new Promise<void>((resolve) => daemon.once('exit', () => resolve()));
  try {
    progress(`cli-startup: ${SERVICES} services starting (node ${process.version})`);
    await untilAllRunning(socket, () => log);
    await sleep(SETTLE_MS);
    const many = entries.length > 1;
    const commands: Timed[] = [
      { label: 'node -e 0', argv: ['-e', '0'], prints: false, ms: [] },
      { label: 'reference: one call from node -e', argv: ['-e', REFERENCE_CLIENT, socket, STATUS_OF], prints: true, ms: [] },
    ];
    for (const entry of entries) {
      const tag = many ? ` (${entry})` : '';
      commands.push({ label: `zinit-ts list --json${tag}`, argv: [entry, '-s', socket, 'list', '--json'], prints: true, ms: [] });
      commands.push({ label: `zinit-ts status ${STATUS_OF}${tag}`, argv: [entry, '-s', socket, 'status', STATUS_OF], prints: true, ms: [] });
    }
    rounds(commands, WARMUP_ROUNDS, false);
    progress(`cli-startup: ${pairs} rounds of ${commands.length} commands`);
    rounds(commands, pairs, true);
    const base = commands[0] as Timed;
    const baseMedian = median(base.ms);
    const width = Math.max(...commands.map((c) => c.label.length));
    const out = [
      `node ${process.version}, ${SERVICES} services, ${pairs} rounds after ${WARMUP_ROUNDS} untimed, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
      `${'command'.padEnd(width)}  median ms  × node -e 0  paired × (p25–p75)`,
    ];
    for (const c of commands) {
      // Round r's run of this command against round r's `node -e 0`.
      const paired = c.ms.map((ms, r) => ms / (base.ms[r] as number));
      const spread = c === base ? '' : `${median(paired).toFixed(2)} (${percentile(paired, 0.25).toFixed(2)}–${percentile(paired, 0.75).toFixed(2)})`;
      out.push(`${c.label.padEnd(width)}  ${median(c.ms).toFixed(1).padStart(9)}  ${(median(c.ms) / baseMedian).toFixed(2).padStart(11)}  ${spread}`);
    }
    return out.join('\n');
  } finally {
    daemon.kill('SIGTERM');
    await Promise.race([exited, sleep(30_000)]);
    if (daemon.exitCode === null && daemon.signalCode === null) daemon.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  const entries = process.argv.length > 2 ? process.argv.slice(2).map((e) => path.resolve(e)) : [ZINIT_CLI];
  console.log(await benchCliStartup(entries, pairsFromEnv()));
}
