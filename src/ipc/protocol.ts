// JSON-RPC 2.0 on the control socket: message shapes, error codes, the method table, and the checks a request must pass.

/*
 * Error codes. The standard ones come from the JSON-RPC 2.0 specification; the application
 * ones from -32000 to -32011 are zinit's (same numbers, same meaning, so zinit clients keep
 * working); zinit-ts's own start at -32050, clear of any range zinit has used.
 *
 * | code   | name                      | meaning                                                  |
 * |--------|---------------------------|----------------------------------------------------------|
 * | -32700 | PARSE_ERROR               | a line is not valid JSON (the connection stays open)     |
 * | -32600 | INVALID_REQUEST           | valid JSON but not a request object (bad jsonrpc/method/id) |
 * | -32601 | METHOD_NOT_FOUND          | no such method                                           |
 * | -32602 | INVALID_PARAMS            | a parameter is missing, unknown, or of the wrong type    |
 * | -32603 | INTERNAL_ERROR            | the method failed unexpectedly (its message is passed on) |
 * | -32000 | SERVICE_NOT_FOUND         | zinit: no service by that name                           |
 * | -32001 | SERVICE_ALREADY_MONITORED | zinit: `monitor` of a service already loaded             |
 * | -32002 | SERVICE_IS_UP             | zinit: the service is up (e.g. `forget` of a running one) |
 * | -32003 | SERVICE_IS_DOWN           | zinit: the service is down (e.g. `kill`, `stats`)        |
 * | -32004 | INVALID_SIGNAL            | zinit: not a signal name                                 |
 * | -32005 | CONFIG_ERROR              | zinit: the service file does not load or validate        |
 * | -32006 | SHUTTING_DOWN             | zinit: the manager is shutting down                      |
 * | -32007 | SERVICE_ALREADY_EXISTS    | zinit: `create` of a service file that exists            |
 * | -32008 | SERVICE_FILE_ERROR        | zinit: a service file cannot be read, written or removed |
 * | -32009 | INVALID_STATE_TRANSITION  | zinit: the request asks for an illegal state change      |
 * | -32010 | DEPENDENCY_ERROR          | zinit: a dependency is missing or blocks the request     |
 * | -32011 | PROCESS_ERROR             | zinit: spawning or signalling a process failed           |
 * | -32050 | REQUEST_TOO_LARGE         | a line exceeded the size limit; the connection is closed |
 * | -32051 | TOO_MANY_CONNECTIONS      | the connection limit is reached; the connection is closed |
 * | -32052 | REQUEST_TOO_DEEP          | arrays/objects nested past the depth limit; the connection stays open |
 * | -32053 | TOO_MANY_STREAMS          | too many subscriptions open on one connection            |
 * | -32054 | CONNECTION_DROPPED        | the server closed the connection (idle, evicted or not reading) |
 */
export const ErrorCode = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  SERVICE_NOT_FOUND: -32000,
  SERVICE_ALREADY_MONITORED: -32001,
  SERVICE_IS_UP: -32002,
  SERVICE_IS_DOWN: -32003,
  INVALID_SIGNAL: -32004,
  CONFIG_ERROR: -32005,
  SHUTTING_DOWN: -32006,
  SERVICE_ALREADY_EXISTS: -32007,
  SERVICE_FILE_ERROR: -32008,
  INVALID_STATE_TRANSITION: -32009,
  DEPENDENCY_ERROR: -32010,
  PROCESS_ERROR: -32011,
  REQUEST_TOO_LARGE: -32050,
  TOO_MANY_CONNECTIONS: -32051,
  REQUEST_TOO_DEEP: -32052,
  TOO_MANY_STREAMS: -32053,
  CONNECTION_DROPPED: -32054,
} as const;

export type ErrorCodeName = keyof typeof ErrorCode;

/** One line per code, for documents (OpenRPC) and for anyone who has only the number. */
export const ERROR_DESCRIPTIONS: Readonly<Record<ErrorCodeName, string>> = {
  PARSE_ERROR: 'The line is not valid JSON',
  INVALID_REQUEST: 'The JSON is not a valid request object',
  METHOD_NOT_FOUND: 'The method does not exist',
  INVALID_PARAMS: 'A parameter is missing, unknown or of the wrong type',
  INTERNAL_ERROR: 'The method failed unexpectedly',
  SERVICE_NOT_FOUND: 'The service does not exist',
  SERVICE_ALREADY_MONITORED: 'The service is already monitored',
  SERVICE_IS_UP: 'The service is up',
  SERVICE_IS_DOWN: 'The service is down',
  INVALID_SIGNAL: 'The signal name is not valid',
  CONFIG_ERROR: 'The service file does not load or validate',
  SHUTTING_DOWN: 'The manager is shutting down',
  SERVICE_ALREADY_EXISTS: 'The service file already exists',
  SERVICE_FILE_ERROR: 'The service file cannot be read, written or removed',
  INVALID_STATE_TRANSITION: 'The request asks for an illegal state change',
  DEPENDENCY_ERROR: 'A dependency is missing or blocks the request',
  PROCESS_ERROR: 'Spawning or signalling a process failed',
  REQUEST_TOO_LARGE: 'A request line exceeded the size limit; the connection is closed',
  TOO_MANY_CONNECTIONS: 'The connection limit is reached; the connection is closed',
  REQUEST_TOO_DEEP: 'Arrays and objects in the request are nested past the depth limit',
  TOO_MANY_STREAMS: 'Too many subscriptions are open on this connection',
  CONNECTION_DROPPED: 'The server closed the connection (idle, evicted to admit another client, or not reading)',
};

export type JsonRpcId = string | number | null;

export interface JsonRpcRequest {
  readonly jsonrpc: '2.0';
  /** Absent for a notification, which gets no answer. */
  readonly id?: JsonRpcId;
  readonly method: string;
  readonly params?: readonly unknown[] | Readonly<Record<string, unknown>>;
}

export interface JsonRpcErrorObject {
  readonly code: number;
  readonly message: string;
  readonly data?: unknown;
}

export interface JsonRpcSuccess {
  readonly jsonrpc: '2.0';
  readonly id: JsonRpcId;
  readonly result: unknown;
}

export interface JsonRpcFailure {
  readonly jsonrpc: '2.0';
  readonly id: JsonRpcId;
  readonly error: JsonRpcErrorObject;
}

export type JsonRpcResponse = JsonRpcSuccess | JsonRpcFailure;

export interface JsonRpcNotification {
  readonly jsonrpc: '2.0';
  readonly method: string;
  readonly params?: unknown;
}

/**
 * The params of a subscription notification, jsonrpsee style (as zinit sends them):
 * `{"jsonrpc":"2.0","method":"stream_subscribeLogs","params":{"subscription":7,"result":"…"}}`.
 * A notification carrying `error` and no `result` ends the subscription.
 */
export interface SubscriptionParams {
  readonly subscription: string | number;
  readonly result?: unknown;
  readonly error?: unknown;
}

export class RpcError extends Error {
  override readonly name = 'RpcError';
  readonly code: number;
  // Declared, not defined: an error without data has no `data` key at all.
  declare readonly data?: unknown;

  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.code = code;
    if (data !== undefined) this.data = data;
  }

  toJSON(): JsonRpcErrorObject {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }
}

export type ParamType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'string[]';

export interface ParamSpec {
  readonly name: string;
  readonly required: boolean;
  readonly type: ParamType;
  readonly description?: string;
}

export interface RpcContext {
  /** Aborts when the client disconnects (or the server closes). */
  readonly signal: AbortSignal;
  /**
   * Sends a notification to this client. Returns false, and sends nothing, when the client
   * is gone or its unsent output is over the high-water mark: count the item as missed and
   * wait for `onDrain` before sending more.
   */
  notify(method: string, params: unknown): boolean;
  /** Calls `cb` once, when the client's output has room again (soon, if it has room now). Never called once the client is gone. */
  onDrain(cb: () => void): void;
  /** Bytes written towards this client that it has not read yet. */
  readonly backlog: number;
  /** Bytes of backlog beyond which a stream should wait for `onDrain`. */
  readonly highWaterMark: number;
  /** Writes notification lines already encoded (each ending in a newline); false when the client is gone. */
  sendEncoded(text: string): boolean;
  /**
   * Counts a stream (a subscription) as open on this connection, so the connection is not closed
   * as idle while it lasts; throws TOO_MANY_STREAMS past the per-connection cap. Returns its release.
   */
  openStream(): () => void;
  /** Closes this client's connection because it stopped reading; the reason is logged. */
  drop(reason: string): void;
}

/** What a method returns, for the OpenRPC document. */
export interface ResultSpec {
  readonly name: string;
  readonly schema: Readonly<Record<string, unknown>>;
  readonly description?: string;
}

export interface MethodSpec {
  /** In positional order: `params: ["redis", "SIGTERM"]` binds to these names in turn. */
  readonly params: readonly ParamSpec[];
  readonly summary?: string;
  readonly description?: string;
  readonly result?: ResultSpec;
  /** Application error codes the method may answer with, for the OpenRPC document. */
  readonly errors?: readonly number[];
  /** Receives only the params that were given (null counts as not given); may return a promise. */
  readonly handler: (params: Record<string, unknown>, ctx: RpcContext) => unknown;
}

export type MethodTable = Readonly<Record<string, MethodSpec>>;

/** A request that passed every check, ready for its handler. */
export interface CheckedRequest {
  readonly ok: true;
  readonly id: JsonRpcId;
  readonly notification: boolean;
  readonly method: string;
  readonly spec: MethodSpec;
  readonly params: Record<string, unknown>;
}

/** A request that did not; `answer` is false for a notification, which gets no reply even when wrong. */
export interface RejectedRequest {
  readonly ok: false;
  readonly id: JsonRpcId;
  readonly answer: boolean;
  readonly error: RpcError;
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return Number.isInteger(value) ? 'an integer' : 'a number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

const TYPE_PHRASE: Readonly<Record<ParamType, string>> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
  'string[]': 'an array of strings',
};

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function matchesType(value: unknown, type: ParamType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return isPlainObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string[]':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
  }
}

function invalidParams(method: string, message: string, data?: Record<string, unknown>): RpcError {
  return new RpcError(ErrorCode.INVALID_PARAMS, `invalid params for ${method}: ${message}`, data);
}

function nameList(specs: readonly ParamSpec[]): string {
  return specs.length === 0 ? 'no params' : specs.map((p) => p.name).join(', ');
}

/**
 * Binds positional or named params to the method's param list and checks each against its
 * type. A null counts as absent, because clients of zinit send `[null]` for an omitted
 * optional parameter.
 */
export function bindParams(method: string, specs: readonly ParamSpec[], params: unknown): Record<string, unknown> {
  const given: Record<string, unknown> = {};
  if (params === undefined) {
    // no params at all: every param is absent
  } else if (Array.isArray(params)) {
    if (params.length > specs.length) {
      throw invalidParams(
        method,
        `takes at most ${specs.length} positional param(s) (${nameList(specs)}), got ${params.length}`,
      );
    }
    params.forEach((value, i) => {
      const spec = specs[i];
      if (spec !== undefined && value !== null) given[spec.name] = value;
    });
  } else if (isPlainObject(params)) {
    for (const [key, value] of Object.entries(params)) {
      if (!specs.some((s) => s.name === key)) {
        throw invalidParams(method, `unknown param "${key}"; expected ${nameList(specs)}`, { param: key });
      }
      if (value !== null) given[key] = value;
    }
  } else {
    throw invalidParams(method, `"params" must be an array or an object, got ${describeValue(params)}`);
  }
  for (const spec of specs) {
    const value = given[spec.name];
    if (value === undefined) {
      if (spec.required) {
        throw invalidParams(method, `missing required param "${spec.name}" (${TYPE_PHRASE[spec.type]})`, {
          param: spec.name,
          expected: spec.type,
        });
      }
    } else if (!matchesType(value, spec.type)) {
      throw invalidParams(
        method,
        `"${spec.name}" must be ${TYPE_PHRASE[spec.type]}, got ${describeValue(value)}`,
        { param: spec.name, expected: spec.type },
      );
    }
  }
  return given;
}

function canonical(method: string): string {
  return method.toLowerCase().replace(/[._-]/g, '');
}

function methodNotFound(method: string, methods: MethodTable): RpcError {
  const near = Object.keys(methods).find((m) => canonical(m) === canonical(method));
  const hint = near === undefined ? '' : `; did you mean "${near}"?`;
  return new RpcError(ErrorCode.METHOD_NOT_FOUND, `method not found: "${method}"${hint}`);
}

function invalidRequest(message: string): RpcError {
  return new RpcError(ErrorCode.INVALID_REQUEST, `invalid request: ${message}`);
}

function isId(value: unknown): value is JsonRpcId {
  return value === null || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

/** Checks one request object (already parsed from JSON) against the method table. */
export function checkRequest(raw: unknown, methods: MethodTable): CheckedRequest | RejectedRequest {
  if (!isPlainObject(raw)) {
    return { ok: false, id: null, answer: true, error: invalidRequest(`expected a JSON object, got ${describeValue(raw)}`) };
  }
  const hasId = Object.hasOwn(raw, 'id');
  if (hasId && !isId(raw.id)) {
    return { ok: false, id: null, answer: true, error: invalidRequest(`"id" must be a string, a number or null, got ${describeValue(raw.id)}`) };
  }
  const id: JsonRpcId = hasId ? (raw.id as JsonRpcId) : null;
  if (raw.jsonrpc !== '2.0') {
    return { ok: false, id, answer: true, error: invalidRequest(`"jsonrpc" must be "2.0", got ${JSON.stringify(raw.jsonrpc) ?? 'nothing'}`) };
  }
  const method = raw.method;
  if (typeof method !== 'string' || method.length === 0) {
    return { ok: false, id, answer: true, error: invalidRequest('"method" must be a non-empty string naming the method to call') };
  }
  const spec = Object.hasOwn(methods, method) ? methods[method] : undefined;
  if (spec === undefined) {
    return { ok: false, id, answer: hasId, error: methodNotFound(method, methods) };
  }
  try {
    const params = bindParams(method, spec.params, raw.params);
    return { ok: true, id, notification: !hasId, method, spec, params };
  } catch (err) {
    if (err instanceof RpcError) return { ok: false, id, answer: hasId, error: err };
    throw err;
  }
}

export function successResponse(id: JsonRpcId, result: unknown): JsonRpcSuccess {
  return { jsonrpc: '2.0', id, result: result === undefined ? null : result };
}

export function errorResponse(id: JsonRpcId, error: RpcError): JsonRpcFailure {
  return { jsonrpc: '2.0', id, error: error.toJSON() };
}

/** A subscription item, as `ctx.notify(method, subscriptionItem(id, item))` should send it. */
export function subscriptionItem(subscription: string | number, result: unknown): SubscriptionParams {
  return { subscription, result };
}

/** The notification params that tell a client its subscription has ended. */
export function subscriptionEnd(subscription: string | number, error: unknown = 'subscription ended'): SubscriptionParams {
  return { subscription, error };
}
