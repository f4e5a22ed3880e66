// `init --metrics ADDR:PORT`: Prometheus text on /metrics and a JSON health summary on /healthz.
import http from 'node:http';
import { Registry, Gauge, Counter } from 'prom-client';
import type { ServiceManager } from '../supervisor/manager.js';
import type { ProcessTablePort } from '../supervisor/ports.js';
import { failedForGood, type State } from '../supervisor/state.js';
import { CLOCK_TICKS } from '../os/proc.js';
import { readUsage } from '../os/tree-usage.js';
import { exitCodeOf } from '../supervisor/signal-number.js';
import { parseListen } from './listen-address.js';

const STATES: readonly State[] = ['Unknown', 'Blocked', 'Spawned', 'Running', 'Success', 'Error', 'TestFailure', 'Failure'];

export interface MetricsSources {
  readonly manager: ServiceManager;
  readonly table: ProcessTablePort;
  readonly reaped: () => number;
}

export interface Health {
  readonly status: 'ok' | 'degraded' | 'shutting-down';
  readonly services: number;
  readonly running: number;
  readonly failed: number;
  readonly blocked: number;
}

export function health(m: ServiceManager): Health {
  const list = m.list();
  const count = (pred: (s: (typeof list)[number]) => boolean): number => list.filter(pred).length;
  const failed = count((s) => failedForGood(s.state, s.oneshot) || s.state === 'TestFailure');
  const blocked = count((s) => s.state === 'Blocked');
  const running = count((s) => s.state === 'Running');
  return { status: m.shuttingDown ? 'shutting-down' : failed > 0 || blocked > 0 ? 'degraded' : 'ok', services: list.length, running, failed, blocked };
}

export function buildRegistry(src: MetricsSources): Registry {
  const reg = new Registry();
  const { manager, table } = src;
  const labels = ['service'] as const;
  new Gauge({
    name: 'zinit_service_state',
    help: 'Current state of each service (1 for the state it is in)',
    labelNames: ['service', 'state'],
    registers: [reg],
    collect() {
      this.reset();
      for (const s of manager.list()) for (const st of STATES) this.set({ service: s.name, state: st }, s.state === st ? 1 : 0);
    },
  });
  new Gauge({
    name: 'zinit_service_target_up',
    help: '1 when the service is meant to run (target Up)',
    labelNames: labels,
    registers: [reg],
    collect() {
      this.reset();
      for (const s of manager.list()) this.set({ service: s.name }, s.target === 'Up' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'zinit_service_restarts',
    help: 'Respawns of the service since it was loaded',
    labelNames: labels,
    registers: [reg],
    collect() {
      this.reset();
      for (const s of manager.list()) this.set({ service: s.name }, s.restarts);
    },
  });
  new Gauge({
    name: 'zinit_service_last_exit_code',
    help: 'Exit code of the last finished run (128+signal when killed)',
    labelNames: labels,
    registers: [reg],
    collect() {
      this.reset();
      for (const s of manager.list()) if (s.exit) this.set({ service: s.name }, exitCodeOf(s.exit));
    },
  });
  const treeUsage = (): Map<string, { cpu: number; mem: number; procs: number }> => {
    const out = new Map<string, { cpu: number; mem: number; procs: number }>();
    for (const s of manager.list()) {
      const usage = [...readUsage(table.find(s.name, s.pid)).values()];
      out.set(s.name, { cpu: usage.reduce((n, u) => n + u.ticks, 0) / CLOCK_TICKS, mem: usage.reduce((n, u) => n + u.memoryBytes, 0), procs: usage.length });
    }
    return out;
  };
  let usage: Map<string, { cpu: number; mem: number; procs: number }> = new Map();
  new Gauge({
    name: 'zinit_service_cpu_seconds',
    help: 'CPU time (user+system) of the live processes of the service tree',
    labelNames: labels,
    registers: [reg],
    collect() {
      usage = treeUsage();
      this.reset();
      for (const [service, u] of usage) this.set({ service }, u.cpu);
    },
  });
  new Gauge({
    name: 'zinit_service_memory_bytes',
    help: 'Resident memory of the service tree',
    labelNames: labels,
    registers: [reg],
    collect() {
      this.reset();
      for (const [service, u] of usage) this.set({ service }, u.mem);
    },
  });
  new Gauge({
    name: 'zinit_service_processes',
    help: 'Live processes in the service tree',
    labelNames: labels,
    registers: [reg],
    collect() {
      this.reset();
      for (const [service, u] of usage) this.set({ service }, u.procs);
    },
  });
  new Gauge({
    name: 'zinit_service_last_stop_seconds',
    help: 'Duration of the last stop of the service',
    labelNames: ['service', 'sigkill'],
    registers: [reg],
    collect() {
      this.reset();
      for (const n of manager.names()) {
        const r = manager.runner(n).lastStop;
        if (r?.hadProcess) this.set({ service: n, sigkill: String(r.sigkill) }, r.durationMs / 1000);
      }
    },
  });
  let lastReaped = 0;
  new Counter({
    name: 'zinit_orphans_reaped_total',
    help: 'Orphaned processes reaped by zinit-ts',
    registers: [reg],
    collect() {
      const now = src.reaped();
      if (now > lastReaped) this.inc(now - lastReaped);
      lastReaped = now;
    },
  });
  return reg;
}

const METRICS_MAX_CONNECTIONS = 64;

export async function startMetricsServer(listen: string, src: MetricsSources): Promise<{ close(): Promise<void>; port: number }> {
  const { host, port } = parseListen(listen);
  const reg = buildRegistry(src);
  const server = http.createServer((req, res) => {
    const [url, query = ''] = (req.url ?? '/').split('?');
    if (url === '/metrics') {
      reg
        .metrics()
        .then((text) => res.writeHead(200, { 'content-type': reg.contentType }).end(text))
        .catch((err: Error) => res.writeHead(500).end(err.message));
    } else if (url === '/healthz') {
      const h = health(src.manager);
      // Liveness asks only whether the manager answers (a failed service is no reason to kill the pod); readiness asks for all of it.
      const live = new URLSearchParams(query).get('probe') === 'live';
      const ok = live ? h.status !== 'shutting-down' : h.status === 'ok';
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ ...h, probe: live ? 'live' : 'ready' }));
    } else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics or /healthz\n');
  });
  // A scraper is one client; these bounds keep a flood of slow or silent ones from holding memory or slots.
  server.maxConnections = METRICS_MAX_CONNECTIONS;
  server.headersTimeout = 5_000;
  server.requestTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  server.maxHeadersCount = 64;
  server.setTimeout(10_000, (socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : port,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
