// The checks a request object must pass before its handler runs: shape, id, version, method, params.
import { InvalidRequestError, MethodNotFoundError, RpcError } from '../errors/errors.js';
import type { MethodSpec, MethodTable } from './method-table.js';
import { bindParams, describeJsonType, isPlainObject } from './param-binder.js';
import type { JsonRpcId } from './wire.js';

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

function canonical(method: string): string {
  return method.toLowerCase().replace(/[._-]/g, '');
}

function methodNotFound(method: string, methods: MethodTable): MethodNotFoundError {
  return new MethodNotFoundError(method, Object.keys(methods).find((m) => canonical(m) === canonical(method)));
}

function isId(value: unknown): value is JsonRpcId {
  return value === null || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

/** Checks one request object (already parsed from JSON) against the method table. */
export function checkRequest(raw: unknown, methods: MethodTable): CheckedRequest | RejectedRequest {
  if (!isPlainObject(raw)) {
    return { ok: false, id: null, answer: true, error: new InvalidRequestError(`expected a JSON object, got ${describeJsonType(raw)}`) };
  }
  const hasId = Object.hasOwn(raw, 'id');
  if (hasId && !isId(raw.id)) {
    return { ok: false, id: null, answer: true, error: new InvalidRequestError(`"id" must be a string, a number or null, got ${describeJsonType(raw.id)}`) };
  }
  const id: JsonRpcId = hasId ? (raw.id as JsonRpcId) : null;
  if (raw.jsonrpc !== '2.0') {
    return { ok: false, id, answer: true, error: new InvalidRequestError(`"jsonrpc" must be "2.0", got ${JSON.stringify(raw.jsonrpc) ?? 'nothing'}`) };
  }
  const method = raw.method;
  if (typeof method !== 'string' || method.length === 0) {
    return { ok: false, id, answer: true, error: new InvalidRequestError('"method" must be a non-empty string naming the method to call') };
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
