// The proxy's HTTP requests, each forwarded over the control socket to the daemon (zinit-ts or zinit), whose answer goes back unchanged.
import { InternalError, InvalidRequestError, RpcError } from '../../errors/errors.js';
import { SubscriptionOverHttpError } from '../../errors/http-errors.js';
import { messageOf } from '../../errors/message-of.js';
import { RpcClient } from '../client.js';
import { describeJsonType, isPlainObject } from '../param-binder.js';
import { MAX_BATCH_LENGTH } from '../server/connection-limits.js';
import { errorResponse, successResponse, type JsonRpcId, type JsonRpcResponse } from '../wire.js';
import type { Dispatch } from './dispatch.js';
import { SUBSCRIPTION_METHODS } from './subscription-methods.js';

const CONNECT_TIMEOUT_MS = 2000;

type Daemon = { readonly client: RpcClient } | { readonly unreachable: string };

function isId(value: unknown): value is JsonRpcId {
  return value === null || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

/** One request: checked for shape here (the daemon checks the rest), refused if it asks for a stream, else forwarded. */
async function forwardOne(raw: unknown, daemon: Daemon): Promise<JsonRpcResponse | null> {
  if (!isPlainObject(raw)) return errorResponse(null, new InvalidRequestError(`expected a JSON object, got ${describeJsonType(raw)}`));
  const hasId = Object.hasOwn(raw, 'id');
  if (hasId && !isId(raw.id)) return errorResponse(null, new InvalidRequestError(`"id" must be a string, a number or null, got ${describeJsonType(raw.id)}`));
  const id = hasId ? (raw.id as JsonRpcId) : null;
  const answer = (error: RpcError): JsonRpcResponse | null => (hasId ? errorResponse(id, error) : null);
  if (raw.jsonrpc !== '2.0') return errorResponse(id, new InvalidRequestError(`"jsonrpc" must be "2.0", got ${JSON.stringify(raw.jsonrpc) ?? 'nothing'}`));
  const method = raw.method;
  if (typeof method !== 'string' || method.length === 0) return errorResponse(id, new InvalidRequestError('"method" must be a non-empty string naming the method to call'));
  if (SUBSCRIPTION_METHODS.has(method)) return answer(new SubscriptionOverHttpError(method));
  if ('unreachable' in daemon) return answer(new InternalError(daemon.unreachable));
  if (!hasId) {
    daemon.client.notify(method, raw.params);
    return null;
  }
  try {
    return successResponse(id, await daemon.client.call(method, raw.params));
  } catch (err) {
    return errorResponse(id, err instanceof RpcError ? err : new InternalError(messageOf(err)));
  }
}

async function open(socketPath: string): Promise<Daemon> {
  try {
    return { client: await RpcClient.connect(socketPath, { timeoutMs: CONNECT_TIMEOUT_MS }) };
  } catch (err) {
    return { unreachable: messageOf(err) };
  }
}

/** Each HTTP request gets a connection of its own to the socket, closed once answered (or when the HTTP client leaves). */
export function forwardDispatch(socketPath: string): Dispatch {
  return async (message, signal) => {
    const batch = Array.isArray(message);
    if (batch && (message.length === 0 || message.length > MAX_BATCH_LENGTH)) {
      const why = message.length === 0 ? 'empty batch' : `batch of ${message.length} requests; at most ${MAX_BATCH_LENGTH}`;
      return `${JSON.stringify(errorResponse(null, new InvalidRequestError(why)))}\n`;
    }
    const daemon = await open(socketPath);
    const leave = (): void => void ('client' in daemon ? daemon.client.destroy() : undefined);
    signal.addEventListener('abort', leave, { once: true });
    try {
      const responses = await Promise.all((batch ? (message as unknown[]) : [message]).map((item) => forwardOne(item, daemon)));
      const answered = responses.filter((r): r is JsonRpcResponse => r !== null);
      if (answered.length === 0) return null;
      return `${JSON.stringify(batch ? answered : answered[0])}\n`;
    } finally {
      signal.removeEventListener('abort', leave);
      // close, not destroy: a forwarded notification must still reach the daemon.
      if ('client' in daemon) void daemon.client.close();
    }
  };
}
