// JSON-RPC 2.0 messages as the control socket carries them: requests, answers, notifications, subscription items.
import type { ErrorObject, RpcError } from '../errors/errors.js';

export type JsonRpcId = string | number | null;

export interface JsonRpcRequest {
  readonly jsonrpc: '2.0';
  /** Absent for a notification, which gets no answer. */
  readonly id?: JsonRpcId;
  readonly method: string;
  readonly params?: readonly unknown[] | Readonly<Record<string, unknown>>;
}

/** The error object of a failed answer (declared with the error classes that make it). */
export type JsonRpcErrorObject = ErrorObject;

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
