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
  /** Every long-running service meant to run is Running with its liveness probe passing; no oneshot failed. */
  readonly ready: boolean;
  /** The services that keep it from being ready, by name (the first NOT_READY_LISTED of them). */
  readonly notReady: readonly string[];
  /** How the services' processes are kept track of: `cgroup` (with its directory) or `proc` (with why not cgroups). */
  readonly containment?: { readonly mode: 'cgroup'; readonly cgroup: string } | { readonly mode: 'proc'; readonly why: string };
}

const NOT_READY_LISTED = 20;

export function health(m: ServiceManager): Health {
  const list = m.list();
  const count = (pred: (s: (typeof list)[number]) => boolean): number => list.filter(pred).length;
  const failed = count((s) => failedForGood(s.state, s.oneshot) || s.state === 'TestFailure');
  const blocked = count((s) => s.state === 'Blocked');
  const running = count((s) => s.state === 'Running');
  const unready = list.filter((s) => (s.oneshot ? failedForGood(s.state, true) : s.target === 'Up' && (s.state !== 'Running' || s.health.liveFailures > 0)));
  return {
    status: m.shuttingDown ? 'shutting-down' : failed > 0 || blocked > 0 ? 'degraded' : 'ok',
    services: list.length,
    running,
    failed,
    blocked,
    ready: !m.shuttingDown && unready.length === 0,
    notReady: unready.slice(0, NOT_READY_LISTED).map((s) => s.name),
    ...containmentOf(m),
  };
}

function containmentOf(m: ServiceManager): Pick<Health, 'containment'> {
  const c = m.containment;
  if (c === null) return {};
  return { containment: c.mode === 'cgroup' ? { mode: 'cgroup', cgroup: c.base } : { mode: 'proc', why: c.why } };
}

/** `/healthz/live` (or `?probe=live`) asks whether the manager answers; `/healthz`, `/healthz/ready` whether every service is ready. */
export function healthProbeOf(url: string, query: string): 'live' | 'ready' | null {
  if (url === '/healthz/live') return 'live';
  if (url === '/healthz/ready') return 'ready';
  if (url === '/healthz') return new URLSearchParams(query).get('probe') === 'live' ? 'live' : 'ready';
  return null;
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
  let lastLiveRestarts = new Map<string, number>();
  new Counter({
    name: 'zinit_service_liveness_restarts_total',
    help: 'Restarts caused by the service\'s liveness probe (counted in zinit_service_restarts too)',
    labelNames: labels,
    registers: [reg],
    collect() {
      const now = new Map<string, number>();
      for (const s of manager.list()) {
        now.set(s.name, s.health.liveRestarts);
        const grew = s.health.liveRestarts - (lastLiveRestarts.get(s.name) ?? 0);
        // A service reloaded as new starts its count again; a counter never goes down.
        this.inc({ service: s.name }, Math.max(0, grew));
      }
      lastLiveRestarts = now;
    },
  });
  let lastOomKills = new Map<string, number>();
  new Counter({
    name: 'zinit_service_oom_kills_total',
    help: 'Runs of the service the kernel\'s OOM killer ended (cgroup mode with the memory controller)',
    labelNames: labels,
    registers: [reg],
    collect() {
      const now = new Map<string, number>();
      for (const s of manager.list()) {
        now.set(s.name, s.oomKills);
        this.inc({ service: s.name }, Math.max(0, s.oomKills - (lastOomKills.get(s.name) ?? 0)));
      }
      lastOomKills = now;
    },
  });
  new Gauge({
    name: 'zinit_service_liveness_failures',
    help: 'Liveness probe failures in a row of the current run',
    labelNames: labels,
    registers: [reg],
    collect() {
      this.reset();
      for (const s of manager.list()) this.set({ service: s.name }, s.health.liveFailures);
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
    const [url = '/', query = ''] = (req.url ?? '/').split('?');
    const probe = healthProbeOf(url, query);
    if (url === '/metrics') {
      reg
        .metrics()
        .then((text) => res.writeHead(200, { 'content-type': reg.contentType }).end(text))
        .catch((err: Error) => res.writeHead(500).end(err.message));
    } else if (probe !== null) {
      const h = health(src.manager);
      // Liveness asks only whether the manager answers (a failed service is no reason to kill the pod); readiness asks for all of it.
      const ok = probe === 'live' ? h.status !== 'shutting-down' : h.ready;
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ ...h, probe }));
    } else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics, /healthz/live or /healthz/ready\n');
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
