// The control socket's methods (zinit's names and shapes, plus zinit-ts's own), mapped onto the manager.
import type { LoadResult } from '../config/types.js';
import type { ParseResult } from '../config/parse-service.js';
import { formatConfigError } from '../config/format-error.js';
import { parseSignal } from '../config/signals.js';
import type { LogStore } from '../log/log-store.js';
import { formatLogLine } from '../log/format-line.js';
import { ServiceManager, ServiceStateError, UnknownServiceError, type ServiceStatus } from '../supervisor/manager.js';
import { runTagName, type TransientRuns } from '../supervisor/transient-runs.js';
import type { ProcessTablePort } from '../supervisor/ports.js';
import { buildProcessTree, type TreeNode } from '../supervisor/process-tree.js';
import { sampleTreeUsage } from '../os/tree-usage.js';
import { ErrorCode, RpcError, type MethodSpec, type MethodTable, type RpcContext } from './protocol.js';
import type { LogFanout } from './log-fanout.js';
import { RunStream } from './run-stream.js';
import { nextSubscriptionId } from './subscription-id.js';
import { buildOpenRpcDocument } from './openrpc.js';
import { exitCodeOf } from '../supervisor/signal-number.js';

export type ShutdownKind = 'stop' | 'poweroff' | 'reboot';

export interface HandlerDeps {
  readonly manager: ServiceManager;
  readonly logs: LogStore;
  readonly followers: LogFanout;
  readonly table: ProcessTablePort;
  readonly runs: TransientRuns;
  readonly version: string;
  /** Loads the whole config directory (for reload), off the main thread. */
  readonly loadConfig: () => Promise<LoadResult>;
  /** Loads one service's file from the config directory (for monitor). */
  readonly loadService: (name: string) => Promise<ParseResult>;
  /** Starts the one shutdown (a later request joins it); resolves once everything is stopped, with the report. */
  readonly requestShutdown: (kind: ShutdownKind) => Promise<ShutdownOutcome>;
  /** The command line of a live process, for `tree`. */
  readonly commandLine: (pid: number) => readonly string[];
}

/** What a waiting `shutdown` is told once the manager has stopped everything. */
export interface ShutdownOutcome {
  /** The report as the log has it, line by line. */
  readonly report: readonly string[];
  readonly durationMs: number;
  readonly sigkilled: readonly string[];
  readonly swept: number;
  readonly remaining: number;
}

/** zinit's JSON for a service; `pid` is 0 when nothing runs, as zinit clients expect a number. */
export interface StatusJson {
  readonly name: string;
  readonly pid: number;
  readonly state: string;
  readonly target: string;
  readonly after: Readonly<Record<string, string>>;
  readonly exit: { readonly code: number | null; readonly signal: string | null } | null;
  readonly restarts: number;
  readonly reason: string | null;
  readonly oneshot: boolean;
}

const name = { name: 'name', required: true, type: 'string', description: 'service name (its file stem)' } as const;
const waitParam = { name: 'wait', required: false, type: 'boolean', description: 'answer once everything is stopped, with the shutdown report (zinit-ts); zinit answers null at once' } as const;

async function shutdown(d: HandlerDeps, kind: ShutdownKind, wait: boolean): Promise<ShutdownOutcome | null> {
  const outcome = d.requestShutdown(kind);
  return wait ? await outcome : null;
}

export function buildMethods(d: HandlerDeps): MethodTable {
  const { manager } = d;
  const guard = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      throw toRpcError(err);
    }
  };
  const guardAsync = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw toRpcError(err);
    }
  };
  const str = (p: Record<string, unknown>, key: string): string => String(p[key]);

  const methods: Record<string, MethodSpec> = {
    service_list: {
      params: [],
      summary: 'Every service and its state, as {name: state}',
      handler: () => Object.fromEntries(manager.list().map((s) => [s.name, s.state])),
    },
    service_statuses: {
      params: [],
      summary: 'Every service with state, pid, target, dependencies and last exit, then running transient commands (zinit-ts)',
      handler: () => [
        ...manager.list().map(statusJson),
        ...d.runs.list().map((r) => ({ name: `run:${r.name}`, pid: r.pid, state: 'Running', target: 'Up', after: {}, exit: null, restarts: 0, reason: null, oneshot: true, transient: true })),
      ],
    },
    service_status: {
      params: [name],
      summary: 'One service: state, pid, target, dependencies and their states, last exit, restarts',
      handler: (p) => guard(() => statusJson(manager.status(str(p, 'name')))),
    },
    service_start: {
      params: [name],
      summary: 'Start a service (it waits for its dependencies)',
      handler: (p) => guard(() => void manager.start(str(p, 'name'))) ?? null,
    },
    service_stop: {
      params: [name],
      summary: 'Stop a service; answers once every process of it is gone',
      handler: async (p) => {
        const r = await guardAsync(() => manager.stop(str(p, 'name')));
        return r.hadProcess ? { signal: r.signal, durationMs: Math.round(r.durationMs), sigkill: r.sigkill, descendants: r.descendants } : null;
      },
    },
    service_restart: {
      params: [name],
      summary: 'Stop a service, then start it again',
      handler: async (p) => (await guardAsync(() => manager.restart(str(p, 'name'))), null),
    },
    service_monitor: {
      params: [name],
      summary: 'Load <name>.yaml from the config directory and start it',
      handler: async (p) => {
        const n = str(p, 'name');
        if (manager.has(n)) throw new RpcError(ErrorCode.SERVICE_ALREADY_MONITORED, `service "${n}" is already monitored`);
        const { config, errors } = await d.loadService(n);
        if (!config) throw new RpcError(ErrorCode.CONFIG_ERROR, errors.map(formatConfigError).join('\n') || `cannot load service "${n}"`);
        guard(() => manager.monitor(config));
        return null;
      },
    },
    service_forget: {
      params: [name],
      summary: 'Drop a stopped service',
      handler: (p) => {
        guard(() => manager.forget(str(p, 'name')));
        d.logs.forget(str(p, 'name'));
        return null;
      },
    },
    service_kill: {
      params: [name, { name: 'signal', required: true, type: 'string', description: 'signal name: SIGTERM, TERM or term' }],
      summary: "Send a signal to the service's process group",
      handler: (p) => {
        const sig = parseSignal(str(p, 'signal'));
        if (!sig) throw new RpcError(ErrorCode.INVALID_SIGNAL, `"${str(p, 'signal')}" is not a signal; use a name such as SIGTERM, HUP or usr1`);
        guard(() => manager.kill(str(p, 'name'), sig));
        return null;
      },
    },
    service_stats: {
      params: [name],
      summary: "CPU and memory of the service's whole process tree, read from /proc",
      handler: async (p) => {
        const n = str(p, 'name');
        const st = guard(() => manager.status(n));
        const procs = d.table.find(n, st.pid);
        if (procs.length === 0) throw new RpcError(ErrorCode.SERVICE_IS_DOWN, `service "${n}" has no running process`);
        const { perProcess, ...usage } = await sampleTreeUsage(procs, 200);
        // zinit's field names first, so zinit clients read it unchanged.
        return {
          name: n,
          pid: st.pid ?? 0,
          memory_usage: usage.memoryBytes,
          cpu_usage: usage.cpuPercent,
          children: perProcess.map((u) => ({ pid: u.pid, memory_usage: u.memoryBytes, cpu_usage: u.cpuPercent })),
          ...usage,
        };
      },
    },
    service_tree: {
      params: [{ name: 'name', required: false, type: 'string', description: 'one service; all when absent' }],
      summary: 'The live process tree of each service, escaped descendants included (zinit-ts)',
      handler: (p) => {
        const names = p.name === undefined ? manager.names() : [str(p, 'name')];
        const out: Record<string, TreeNode[]> = {};
        for (const n of names) {
          const st = guard(() => manager.status(n));
          out[n] = buildProcessTree(d.table.find(n, st.pid), st.pid, d.commandLine);
        }
        for (const r of p.name === undefined ? d.runs.list() : []) out[r.name] = buildProcessTree(d.table.find(runTagName(r.id), r.pid), r.pid, d.commandLine);
        return out;
      },
    },
    system_shutdown: {
      params: [waitParam],
      summary: 'Stop every service and exit (power off when PID 1 on a machine); with wait, answer with the shutdown report once everything is stopped',
      handler: (p) => shutdown(d, 'poweroff', p.wait === true),
    },
    system_reboot: {
      params: [waitParam],
      summary: 'Stop every service and exit (reboot when PID 1 on a machine); with wait, answer with the shutdown report once everything is stopped',
      handler: (p) => shutdown(d, 'reboot', p.wait === true),
    },
    system_reload: {
      params: [],
      summary: 'Re-read the config directory: new files start, removed ones stop, changed ones restart (zinit-ts)',
      handler: async () => {
        const loaded = await guardAsync(() => d.loadConfig());
        const r = await guardAsync(() => manager.reload(loaded.services, loaded.errors));
        return { added: r.added, removed: r.removed, changed: r.changed, errors: r.errors.map(formatConfigError) };
      },
    },
    stream_currentLogs: {
      params: [{ name: 'name', required: false, type: 'string', description: 'one service; all when absent' }],
      summary: 'Lines of the log ring(s) now, oldest first',
      handler: (p) => {
        const n = p.name === undefined ? undefined : str(p, 'name');
        if (n !== undefined && !manager.has(n)) throw toRpcError(new UnknownServiceError(n));
        return d.logs.snapshot(n).map(formatLogLine);
      },
    },
    stream_subscribeLogs: {
      params: [
        { name: 'name', required: false, type: 'string', description: 'one service; all when absent' },
        { name: 'history', required: false, type: 'boolean', description: 'send the retained lines first (zinit-ts)' },
      ],
      summary: 'Follow log lines as they come; a follower that falls behind is told how many it missed',
      handler: (p, ctx) => {
        const n = p.name === undefined ? null : str(p, 'name');
        if (n !== null && !manager.has(n)) throw toRpcError(new UnknownServiceError(n));
        return d.followers.follow(ctx, n, p.history === true);
      },
    },
    system_run: {
      params: [
        { name: 'argv', required: true, type: 'string[]', description: 'command and arguments' },
        { name: 'options', required: false, type: 'object', description: '{timeout (s), name, env {K: V}, dir}' },
      ],
      summary: 'Run a one-off command under the manager: a subscription whose items are {stream, text} and, last, {exit: {code, signal, exitCode, timedOut}} (zinit-ts)',
      handler: (p, ctx) => runTransient(d, p, ctx),
    },
    rpc_discover: { params: [], handler: () => null },
  };
  delete methods.rpc_discover;
  methods['rpc.discover'] = {
    params: [],
    summary: 'The OpenRPC description of this API',
    handler: () => buildOpenRpcDocument(methods, { version: d.version }),
  };
  return methods;
}

export function statusJson(s: ServiceStatus): StatusJson {
  return { name: s.name, pid: s.pid ?? 0, state: s.state, target: s.target, after: s.after, exit: s.exit, restarts: s.restarts, reason: s.reason, oneshot: s.oneshot };
}

function toRpcError(err: unknown): RpcError {
  if (err instanceof RpcError) return err;
  if (err instanceof UnknownServiceError) return new RpcError(ErrorCode.SERVICE_NOT_FOUND, err.message);
  if (err instanceof ServiceStateError) {
    const code = /shutting down/.test(err.message)
      ? ErrorCode.SHUTTING_DOWN
      : /already running|not stopped|already monitored/.test(err.message)
        ? ErrorCode.SERVICE_IS_UP
        : ErrorCode.SERVICE_IS_DOWN;
    return new RpcError(code, err.message);
  }
  return new RpcError(ErrorCode.INTERNAL_ERROR, (err as Error).message ?? String(err));
}

function runTransient(d: HandlerDeps, p: Record<string, unknown>, ctx: RpcContext): number {
  const argv = p.argv as string[];
  if (argv.length === 0) throw new RpcError(ErrorCode.INVALID_PARAMS, 'argv must name a command: ["cmd", "arg", …]');
  const o = (p.options ?? {}) as Record<string, unknown>;
  const timeout = o.timeout;
  if (timeout !== undefined && (typeof timeout !== 'number' || !(timeout > 0)))
    throw new RpcError(ErrorCode.INVALID_PARAMS, `options.timeout must be a positive number of seconds, got ${JSON.stringify(timeout)}`);
  const env = o.env ?? {};
  if (typeof env !== 'object' || env === null || Object.values(env).some((v) => typeof v !== 'string'))
    throw new RpcError(ErrorCode.INVALID_PARAMS, 'options.env must be an object of strings: {"KEY": "value"}');
  if (o.dir !== undefined && typeof o.dir !== 'string') throw new RpcError(ErrorCode.INVALID_PARAMS, 'options.dir must be a path string');
  if (d.manager.shuttingDown) throw new RpcError(ErrorCode.SHUTTING_DOWN, 'zinit-ts is shutting down');
  const release = ctx.openStream();
  const stream = new RunStream(ctx, nextSubscriptionId());
  const { info, done, flow } = d.runs.start(
    {
      argv,
      env: env as Record<string, string>,
      dir: typeof o.dir === 'string' ? o.dir : '/',
      name: typeof o.name === 'string' ? o.name : null,
      timeoutMs: typeof timeout === 'number' ? timeout * 1000 : null,
      uid: null,
      gid: null,
    },
    (s, text) => stream.output({ stream: s, text }),
  );
  stream.useFlow(flow);
  const onAbort = (): void => void d.runs.cancel(info.id);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  void done.then((r) => {
    ctx.signal.removeEventListener('abort', onAbort);
    release();
    stream.finish({ id: info.id, pid: info.pid, code: r.code, signal: r.signal, exitCode: exitCodeOf(r), timedOut: r.timedOut, spawnError: r.spawnError });
  });
  return stream.id;
}
