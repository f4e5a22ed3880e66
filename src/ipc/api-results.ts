// What the methods answer and stream, as schemas: each shape is written once, its TypeScript type inferred from it.
import type { TreeNode } from '../supervisor/process-tree.js';
import { array, boolean, declared, integer, literal, nullable, number, object, oneOf, record, string, unknown, type Infer } from './api-schema.js';

const exit = nullable(object({ code: nullable(integer()), signal: nullable(string()) }));

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

export const StatusSchema = object(statusFields);
export type StatusJson = Infer<typeof StatusSchema>;

/** A service, or (with `transient`) a running transient command, named `run:<name>`. */
export const StatusesSchema = array(object(statusFields, { transient: boolean() }));

export const ServiceStatesSchema = record(string());

/** null when nothing was running. */
export const StopSchema = nullable(object({ signal: string(), durationMs: integer(), sigkill: boolean(), descendants: integer() }));

const usage = { memory_usage: integer(), cpu_usage: number() };

/** zinit's field names first, so zinit clients read it unchanged; then zinit-ts's. */
export const StatsSchema = object({
  name: string(),
  pid: integer(),
  ...usage,
  children: array(object({ pid: integer(), ...usage })),
  cpuPercent: number(),
  memoryBytes: integer(),
  processes: integer(),
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
export const NothingSchema = declared<null>({ type: 'null' });
