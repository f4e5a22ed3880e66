// zinit 0.2.28's result shapes as JSON Schemas, stated as strictly as zinit's Rust clients decode them (serde: every struct field required, integers unsigned).

/** A state string as zinit prints its `State` enum (Rust's Debug form, an error carrying nix's WaitStatus). */
export const ZINIT_STATE_PATTERN =
  '^(Unknown|Blocked|Spawned|Running|Success|TestFailure|Failure|Error\\((Exited\\(Pid\\([0-9]+\\), [0-9]+\\)|Signaled\\(Pid\\([0-9]+\\), SIG[A-Z0-9]+, (true|false)\\))\\))$';

const state = { type: 'string', pattern: ZINIT_STATE_PATTERN } as const;
const target = { type: 'string', enum: ['Up', 'Down'] } as const;
const u32 = { type: 'integer', minimum: 0, maximum: 4294967295 } as const;
const u64 = { type: 'integer', minimum: 0 } as const;
const nothing = { type: 'null' } as const;
const text = { type: 'string' } as const;

const processFigures = {
  pid: u32,
  memory_usage: u64,
  cpu_usage: { type: 'number', minimum: 0 },
} as const;

/** Result schema of each zinit method, by method name. */
export const ZINIT_RESULT_SCHEMAS = {
  'rpc.discover': { anyOf: [{ type: 'object', required: ['openrpc', 'methods'], properties: { openrpc: text, methods: { type: 'array' } } }, text] },
  service_list: { type: 'object', additionalProperties: state },
  service_status: {
    type: 'object',
    required: ['name', 'pid', 'state', 'target', 'after'],
    properties: { name: text, pid: u32, state, target, after: { type: 'object', additionalProperties: state } },
  },
  service_start: nothing,
  service_stop: nothing,
  service_monitor: nothing,
  service_forget: nothing,
  service_kill: nothing,
  system_shutdown: nothing,
  system_reboot: nothing,
  service_create: text,
  service_delete: text,
  service_get: { type: 'object' },
  service_stats: {
    type: 'object',
    required: ['name', 'pid', 'memory_usage', 'cpu_usage', 'children'],
    properties: {
      name: text,
      ...processFigures,
      children: { type: 'array', items: { type: 'object', required: ['pid', 'memory_usage', 'cpu_usage'], properties: processFigures } },
    },
  },
  system_start_http_server: text,
  system_stop_http_server: nothing,
  stream_currentLogs: { type: 'array', items: text },
  /** The subscription id jsonrpsee hands out: a string or a number. */
  stream_subscribeLogs: { type: ['string', 'integer'] },
  stream_unsubscribeLogs: { type: 'boolean' },
} as const;

export type ZinitMethod = keyof typeof ZINIT_RESULT_SCHEMAS;

/** Every method zinit 0.2.28 serves (its openrpc.json plus the unsubscribe jsonrpsee adds). */
export const ZINIT_METHODS = Object.keys(ZINIT_RESULT_SCHEMAS) as readonly ZinitMethod[];

/** A subscription's notification, as jsonrpsee sends it. */
export const ZINIT_LOG_NOTIFICATION = {
  type: 'object',
  required: ['jsonrpc', 'method', 'params'],
  properties: {
    jsonrpc: { const: '2.0' },
    method: { const: 'stream_subscribeLogs' },
    params: { type: 'object', required: ['subscription', 'result'], properties: { subscription: { type: ['string', 'integer'] }, result: text } },
  },
} as const;

/** A log line as zinit's ring holds it: `[+] svc: text` (stdout) or `[-] svc: text` (stderr and the start marker). */
export const ZINIT_LOG_LINE = /^\[[+-]\] [^:\s]+: /;
