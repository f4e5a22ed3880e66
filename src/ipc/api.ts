// Every method of the control socket, declared once: params, result, stream items, errors. The server's table, the typed client, the CLI and the OpenRPC document derive from it.
import type { ErrorCodeName } from '../errors/codes.js';
import type { ParamSpec, ParamType } from './param-binder.js';
import { literal, string, type Infer, type Schema } from './api-schema.js';
import {
  DocumentSchema,
  LogLineSchema,
  LogLinesSchema,
  LOG_FORMATS,
  MessageSchema,
  NothingSchema,
  ReloadSchema,
  RunItemSchema,
  RunOptionsSchema,
  ServiceContentSchema,
  ServiceStatesSchema,
  ShutdownSchema,
  StatsSchema,
  StatusesSchema,
  StatusSchema,
  StopSchema,
  SubscriptionIdSchema,
  TreesSchema,
  UnsubscribedSchema,
} from './api-results.js';

export interface ParamDeclaration extends ParamSpec {
  /** A finer shape than `type` says (an object's keys), for the typed client and the document. */
  readonly shape?: Schema<unknown>;
}

export interface MethodDeclaration {
  readonly summary: string;
  /** In positional order. */
  readonly params: readonly ParamDeclaration[];
  readonly result: { readonly name: string; readonly schema: Schema<unknown> };
  /** For a subscription: what each notification's `result` holds. */
  readonly item?: Schema<unknown>;
  /** Every code it may answer with, beyond INTERNAL_ERROR (which any method may). */
  readonly errors: readonly ErrorCodeName[];
}

const name = { name: 'name', required: true, type: 'string', description: 'service name (its file stem)' } as const;
const anyName = { name: 'name', required: false, type: 'string', description: 'one service; all when absent' } as const;
const wait = {
  name: 'wait',
  required: false,
  type: 'boolean',
  description: 'answer once everything is stopped, with the shutdown report (zinit-ts); zinit answers null at once',
} as const;
const format = {
  name: 'format',
  required: false,
  type: 'string',
  shape: literal(...LOG_FORMATS),
  description: '"zinit" (default): zinit\'s lines, `[+] svc: text` (stdout) and `[-] svc: text` (stderr); "zinit-ts": time, service and stream',
} as const;
const nothing = { name: 'Nothing', schema: NothingSchema } as const;

export const API = {
  service_list: {
    summary: "Every service and its state, as {name: state}; an error state in zinit's words, e.g. Error(Exited(Pid(123), 3))",
    params: [],
    result: { name: 'ServiceStates', schema: ServiceStatesSchema },
    errors: ['INVALID_PARAMS'],
  },
  service_statuses: {
    summary: 'Every service with state (the plain word), pid, target, dependencies and last exit, then running transient commands (zinit-ts); with a name, that one only',
    params: [anyName],
    result: { name: 'ServiceStatuses', schema: StatusesSchema },
    errors: ['INVALID_PARAMS', 'SERVICE_NOT_FOUND'],
  },
  service_status: {
    summary: "One service: state, pid, target, dependencies and their states (states in zinit's words), last exit, restarts",
    params: [name],
    result: { name: 'ServiceStatus', schema: StatusSchema },
    errors: ['INVALID_PARAMS', 'SERVICE_NOT_FOUND'],
  },
  service_start: {
    summary: 'Start a service (it waits for its dependencies); a service already up is left as it is',
    params: [name],
    result: nothing,
    errors: ['INVALID_PARAMS', 'SERVICE_NOT_FOUND', 'SHUTTING_DOWN'],
  },
  service_stop: {
    summary: 'Stop a service; answers once every process of it is gone: null, or with report the stop report (null when nothing ran)',
    params: [
      name,
      { name: 'report', required: false, type: 'boolean', description: 'answer with how the stop went: signal, time, SIGKILL, descendants (zinit-ts)' },
    ],
    result: { name: 'StopReport', schema: StopSchema },
    errors: ['INVALID_PARAMS', 'SERVICE_NOT_FOUND'],
  },
  service_restart: {
    summary: 'Stop a service, then start it again',
    params: [name],
    result: nothing,
    errors: ['INVALID_PARAMS', 'SERVICE_NOT_FOUND', 'SHUTTING_DOWN'],
  },
  service_monitor: {
    summary: 'Load <name>.yaml from the config directory and start it (a name with "/", "\\" or "." is refused, as zinit does)',
    params: [name],
    result: nothing,
    errors: ['INVALID_PARAMS', 'SERVICE_ALREADY_MONITORED', 'CONFIG_ERROR', 'SHUTTING_DOWN'],
  },
  service_forget: {
    summary: 'Drop a stopped service',
    params: [name],
    result: nothing,
    errors: ['INVALID_PARAMS', 'SERVICE_NOT_FOUND', 'SERVICE_IS_UP'],
  },
  service_kill: {
    summary: "Send a signal to the service's process group",
    params: [name, { name: 'signal', required: true, type: 'string', description: 'signal name: SIGTERM, TERM or term' }],
    result: nothing,
    errors: ['INVALID_PARAMS', 'SERVICE_NOT_FOUND', 'INVALID_SIGNAL', 'SERVICE_IS_DOWN'],
  },
  service_stats: {
    summary: 'Memory (bytes) and CPU (% of one CPU) of the main process and of each of its descendants, and in `tree` the totals of every process of the service',
    params: [name],
    result: { name: 'ServiceStats', schema: StatsSchema },
    errors: ['INVALID_PARAMS', 'SERVICE_NOT_FOUND', 'SERVICE_IS_DOWN'],
  },
  service_create: {
    summary: 'Write <name>.yaml into the config directory from its content as JSON, once checked as `check` does; never over an existing file, never started (monitor does that)',
    params: [name, { name: 'content', required: true, type: 'object', description: 'the service file as JSON: {"exec": "redis-server", "after": ["net"]}' }],
    result: { name: 'CreateServiceResult', schema: MessageSchema },
    errors: ['INVALID_PARAMS', 'SERVICE_ALREADY_EXISTS', 'CONFIG_ERROR', 'SERVICE_FILE_ERROR'],
  },
  service_get: {
    summary: 'A service file of the config directory as JSON (the file as it is now, whether loaded or not)',
    params: [name],
    result: { name: 'ServiceContent', schema: ServiceContentSchema },
    errors: ['INVALID_PARAMS', 'SERVICE_NOT_FOUND', 'CONFIG_ERROR', 'SERVICE_FILE_ERROR'],
  },
  service_delete: {
    summary: 'Remove a service file from the config directory; a loaded service keeps running (stop and forget it for that)',
    params: [name],
    result: { name: 'DeleteServiceResult', schema: MessageSchema },
    errors: ['INVALID_PARAMS', 'SERVICE_NOT_FOUND', 'SERVICE_FILE_ERROR'],
  },
  service_tree: {
    summary: 'The live process tree of each service, escaped descendants included (zinit-ts)',
    params: [anyName],
    result: { name: 'ProcessTrees', schema: TreesSchema },
    errors: ['INVALID_PARAMS', 'SERVICE_NOT_FOUND'],
  },
  system_shutdown: {
    summary: 'Stop every service and exit (power off when PID 1 on a machine); with wait, answer with the shutdown report once everything is stopped',
    params: [wait],
    result: { name: 'ShutdownOutcome', schema: ShutdownSchema },
    errors: ['INVALID_PARAMS'],
  },
  system_reboot: {
    summary: 'Stop every service and exit (reboot when PID 1 on a machine); with wait, answer with the shutdown report once everything is stopped',
    params: [wait],
    result: { name: 'ShutdownOutcome', schema: ShutdownSchema },
    errors: ['INVALID_PARAMS'],
  },
  system_reload: {
    summary: 'Re-read the config directory: new files start, removed ones stop, changed ones restart (zinit-ts)',
    params: [],
    result: { name: 'ReloadResult', schema: ReloadSchema },
    errors: ['INVALID_PARAMS', 'SHUTTING_DOWN'],
  },
  system_start_http_server: {
    summary:
      'Serve this API over HTTP at ADDRESS (IP:PORT; loopback only unless init --http-allow-remote), each request with the bearer token; a server already running elsewhere is replaced',
    params: [{ name: 'address', required: true, type: 'string', description: 'where to listen: 127.0.0.1:8080, [::1]:8080 or localhost:8080 (port 0: any free port)' }],
    result: { name: 'StartHttpServerResult', schema: string() },
    errors: ['INVALID_PARAMS'],
  },
  system_stop_http_server: {
    summary: 'Stop the HTTP server (an error when none runs)',
    params: [],
    result: { name: 'StopHttpServerResult', schema: NothingSchema },
    errors: ['INVALID_PARAMS'],
  },
  stream_currentLogs: {
    summary: 'Lines of the log ring(s) now, oldest first; a name with no lines gives [] (SERVICE_NOT_FOUND with format "zinit-ts")',
    params: [anyName, format],
    result: { name: 'LogLines', schema: LogLinesSchema },
    errors: ['INVALID_PARAMS', 'SERVICE_NOT_FOUND'],
  },
  stream_subscribeLogs: {
    summary: 'Follow log lines as they come; a follower that falls behind is told how many it missed',
    params: [
      { name: 'filter', required: false, type: 'string', aliases: ['name'], description: 'one service (also accepted as "name"); all when absent' },
      { name: 'history', required: false, type: 'boolean', description: 'send the retained lines first (zinit-ts)' },
      format,
    ],
    result: { name: 'SubscriptionId', schema: SubscriptionIdSchema },
    item: LogLineSchema,
    errors: ['INVALID_PARAMS', 'SERVICE_NOT_FOUND', 'TOO_MANY_STREAMS'],
  },
  stream_unsubscribeLogs: {
    summary: 'End a log subscription of this connection: true if it was open, false otherwise',
    params: [{ name: 'subscription', required: true, type: 'integer', description: 'the id stream_subscribeLogs answered' }],
    result: { name: 'Unsubscribed', schema: UnsubscribedSchema },
    errors: ['INVALID_PARAMS'],
  },
  system_run: {
    summary:
      'Run a one-off command under the manager: a subscription whose items are {stream, text} and, last, {exit: {code, signal, exitCode, timedOut}} (zinit-ts)',
    params: [
      { name: 'argv', required: true, type: 'string[]', description: 'command and arguments' },
      { name: 'options', required: false, type: 'object', description: '{timeout (s), name, env {K: V}, dir}', shape: RunOptionsSchema },
    ],
    result: { name: 'SubscriptionId', schema: SubscriptionIdSchema },
    item: RunItemSchema,
    errors: ['INVALID_PARAMS', 'SHUTTING_DOWN', 'TOO_MANY_STREAMS'],
  },
  'rpc.discover': {
    // zinit 0.2.28 answers its document as a JSON string, against its own spec (which says object); no zinit client reads it, OpenRPC tools need the object.
    summary: 'The OpenRPC description of this API, as an object',
    params: [],
    result: { name: 'OpenRpcDocument', schema: DocumentSchema },
    errors: ['INVALID_PARAMS'],
  },
} as const satisfies Readonly<Record<string, MethodDeclaration>>;

type Api = typeof API;
export type MethodName = keyof Api;
export const METHOD_NAMES = Object.keys(API) as readonly MethodName[];

interface ParamTypes {
  string: string;
  number: number;
  integer: number;
  boolean: boolean;
  object: Readonly<Record<string, unknown>>;
  array: readonly unknown[];
  'string[]': readonly string[];
}

type ParamValue<P> = P extends { readonly shape: Schema<infer S> } ? S : P extends { readonly type: infer T extends ParamType } ? ParamTypes[T] : never;
type Declared<M extends MethodName> = Api[M]['params'];
type RequiredParam<P> = P extends { readonly required: true } ? P : never;
type OptionalParam<P> = P extends { readonly required: true } ? never : P;

/** Positional params: the required ones, then any of the optional ones in order (null = not given). */
type Positional<Ps> = Ps extends readonly [infer H, ...infer R]
  ? H extends { readonly required: true }
    ? [ParamValue<H>, ...Positional<R>]
    : [] | [ParamValue<H> | null, ...Positional<R>]
  : [];

type Named<Ps extends readonly ParamDeclaration[]> = {
  readonly [P in Ps[number] as RequiredParam<P>['name']]: ParamValue<P>;
} & { readonly [P in Ps[number] as OptionalParam<P>['name']]?: ParamValue<P> | null };

/** What a handler receives: the params given, by name, checked against their types (absent when not given). */
export type Args<M extends MethodName> = {
  readonly [P in Declared<M>[number] as RequiredParam<P>['name']]: ParamValue<P>;
} & { readonly [P in Declared<M>[number] as OptionalParam<P>['name']]?: ParamValue<P> };

/** The API as types: `Methods['service_status']['result']` is a service's status. */
export type Methods = {
  readonly [M in MethodName]: {
    readonly params: Positional<Declared<M>> | Named<Declared<M>>;
    readonly result: Infer<Api[M]['result']['schema']>;
    readonly item: Api[M] extends { readonly item: Schema<infer I> } ? I : never;
  };
};

export type Params<M extends MethodName> = Methods[M]['params'];
export type Result<M extends MethodName> = Methods[M]['result'];
export type SubscriptionName = { [M in MethodName]: Api[M] extends { readonly item: Schema<unknown> } ? M : never }[MethodName];
export type Item<M extends SubscriptionName> = Methods[M]['item'];
/** True when the method can be called without params (it requires none). */
export type ParamsOptional<M extends MethodName> = [] extends Positional<Declared<M>> ? true : false;
