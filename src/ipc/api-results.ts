// What the methods answer and stream, as schemas: each shape is written once, its TypeScript type inferred from it.
import type { TreeNode } from '../supervisor/process-tree.js';
import { array, boolean, declared, integer, literal, nullable, number, object, oneOf, record, string, unknown, type Infer } from './api-schema.js';

const exit = nullable(object({ code: nullable(integer()), signal: nullable(string()) }, { oomKill: boolean() }));

/** zinit's JSON for a service; `pid` is 0 when nothing runs, as zinit clients expect a number. */
const statusFields = {
  name: string(),
  pid: integer(),
  state: string(),
  target: string(),
  after: record(string()),
  exit,
  restarts: integer(),
  reason: nullable(string()),
  oneshot: boolean(),
  /** What the service file warned about when loaded (unknown keys, which zinit ignores). */
  warnings: array(string()),
};

/** What its probes and notifications say; absent from a daemon without health checks. */
const health = object({
  /** The last failure of its readiness or liveness probe, until one passes. */
  probeError: nullable(string()),
  /** Liveness failures in a row of the current run. */
  liveFailures: integer(),
  /** Restarts its liveness probe caused (counted in `restarts` too). */
  liveRestarts: integer(),
  /** Its own STATUS= (notify: systemd). */
  statusText: nullable(string()),
});

/** Its cgroup (null outside cgroup mode) and which of its limits the kernel enforces; absent from a daemon that says nothing of it. */
const containment = object(
  {
    cgroup: nullable(string()),
    limits: object({ enforced: array(string()), notEnforced: array(object({ key: string(), why: string() })) }),
  },
  { why: string() },
);

/** Runs the kernel's OOM killer ended. */
const oomKills = integer();

export const StatusSchema = object(statusFields, { health, containment, oomKills });
export type StatusJson = Infer<typeof StatusSchema>;

/** A service, or (with `transient`) a running transient command, named `run:<name>`. */
export const StatusesSchema = array(object(statusFields, { transient: boolean(), health, containment, oomKills }));

export const ServiceStatesSchema = record(string());

/** null when nothing was running. */
export const StopSchema = nullable(object({ signal: string(), durationMs: integer(), sigkill: boolean(), descendants: integer() }));

const usage = { memory_usage: integer(), cpu_usage: number() };

/**
 * zinit's fields with zinit's meaning (the main process's own usage; `children`: its descendants,
 * not itself), then zinit-ts's totals over every process of the service (escaped ones included).
 */
export const StatsSchema = object({
  name: string(),
  pid: integer(),
  ...usage,
  children: array(object({ pid: integer(), ...usage })),
  tree: object({ memoryBytes: integer(), cpuPercent: number(), processes: integer() }),
}, {
  /** cgroup mode: the kernel's accounting of the service's leaf (memory.current; CPU from cpu.stat over the same window); null where absent. */
  cgroup: object({ memoryBytes: nullable(integer()), cpuPercent: nullable(number()) }),
});
export type ServiceStats = Infer<typeof StatsSchema>;

const TreeNodeSchema = declared<TreeNode>({
  type: 'object',
  properties: {
    pid: { type: 'integer' },
    comm: { type: 'string' },
    cmdline: { type: 'array', items: { type: 'string' } },
    state: { type: 'string' },
    escaped: { type: 'boolean' },
    children: { type: 'array', items: { type: 'object', description: 'a node of the same shape' } },
  },
  required: ['pid', 'comm', 'cmdline', 'state', 'escaped', 'children'],
});

/** Each service's (and running command's) process tree. */
export const TreesSchema = record(array(TreeNodeSchema));

const outcome = object({
  report: array(string()),
  durationMs: number(),
  sigkilled: array(string()),
  swept: integer(),
  remaining: integer(),
});
/** What a waiting `shutdown` is told once the manager has stopped everything. */
export type ShutdownOutcome = Infer<typeof outcome>;
/** null unless the request asked to wait. */
export const ShutdownSchema = nullable(outcome);

export const ReloadSchema = object({ added: array(string()), removed: array(string()), changed: array(string()), errors: array(string()) });
export type ReloadResult = Infer<typeof ReloadSchema>;

export const LogLinesSchema = array(string());
/** How log lines are written: zinit's `[+] svc: text` (the default) or zinit-ts's time, service and stream. */
export const LOG_FORMATS = ['zinit', 'zinit-ts'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
export const SubscriptionIdSchema = integer();
export const LogLineSchema = string();

export const RunOptionsSchema = object({}, { timeout: number(), name: string(), env: record(string()), dir: string() });
export type RunOptions = Infer<typeof RunOptionsSchema>;

const runExit = object({
  id: string(),
  pid: integer(),
  code: nullable(integer()),
  signal: nullable(string()),
  /** The code a shell would report: the exit code, or 128 + the signal's number. */
  exitCode: integer(),
  timedOut: boolean(),
  spawnError: nullable(string()),
  droppedLines: integer(),
});
export type RunExit = Infer<typeof runExit>;

/** A line of output, a count of lines dropped while the client did not read, or (last) the exit. */
export const RunItemSchema = oneOf(
  object({ stream: literal('stdout', 'stderr'), text: string() }),
  object({ gap: object({ dropped: integer() }) }),
  object({ exit: runExit }),
);
export type RunItem = Infer<typeof RunItemSchema>;

export const DocumentSchema = record(unknown());
/** A service file's content as JSON, a mapping of its keys. */
export const ServiceContentSchema = record(unknown());
export const MessageSchema = string();
export const UnsubscribedSchema = boolean();
export const NothingSchema = declared<null>({ type: 'null' });
