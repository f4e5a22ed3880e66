// Answers one parsed message of a client: a request or a batch, through the method table, as the line to send back.
import { InternalError, InvalidRequestError, RpcError } from '../../errors/errors.js';
import { messageOf } from '../../errors/message-of.js';
import { encodeLine } from '../framing.js';
import type { MethodTable, RpcContext } from '../method-table.js';
import { checkRequest } from '../request-check.js';
import { errorResponse, successResponse, type JsonRpcResponse } from '../wire.js';
import { MAX_BATCH_LENGTH, type RpcLogger } from './connection-limits.js';

export interface Answering {
  readonly methods: MethodTable;
  readonly ctx: RpcContext;
  readonly logger: RpcLogger | undefined;
  /** Writes one line (or one batch's line) to the client. */
  readonly send: (line: string) => void;
}

/** Answers `message` (a request, a notification or a batch of them) and sends what it calls for, if anything. */
export async function answerMessage(message: unknown, a: Answering): Promise<void> {
  if (!Array.isArray(message)) {
    const response = await answerRequest(message, a);
    if (response !== null) a.send(`${encodeResponse(response, a.logger)}\n`);
    return;
  }
  if (message.length === 0 || message.length > MAX_BATCH_LENGTH) {
    const why = message.length === 0 ? 'empty batch' : `batch of ${message.length} requests; at most ${MAX_BATCH_LENGTH}`;
    a.send(encodeLine(errorResponse(null, new InvalidRequestError(why))));
    return;
  }
  const responses = await Promise.all(message.map((item) => answerRequest(item, a)));
  const encoded = responses.filter((r): r is JsonRpcResponse => r !== null).map((r) => encodeResponse(r, a.logger));
  if (encoded.length > 0) a.send(`[${encoded.join(',')}]\n`);
}

/** One request through its handler; null for a notification, which gets no answer. */
async function answerRequest(raw: unknown, a: Answering): Promise<JsonRpcResponse | null> {
  const request = checkRequest(raw, a.methods);
  if (!request.ok) return request.answer ? errorResponse(request.id, request.error) : null;
  try {
    const result: unknown = await request.spec.handler(request.params, a.ctx);
    return request.notification ? null : successResponse(request.id, result);
  } catch (err) {
    const error = toRpcError(err, request.method, a.logger);
    return request.notification ? null : errorResponse(request.id, error);
  }
}

/** A handler's own RpcError goes out as is; anything else is a bug, logged with its stack and answered INTERNAL_ERROR. */
function toRpcError(err: unknown, method: string, logger: RpcLogger | undefined): RpcError {
  if (err instanceof RpcError) return err;
  const fields: Record<string, unknown> = { method, error: messageOf(err) };
  if (err instanceof Error && err.stack !== undefined) fields.stack = err.stack;
  logger?.warn('control socket method failed', fields);
  return new InternalError(messageOf(err));
}

function encodeResponse(response: JsonRpcResponse, logger: RpcLogger | undefined): string {
  try {
    return JSON.stringify(response);
  } catch (err) {
    logger?.warn('control socket answer is not JSON-encodable', { id: response.id, error: messageOf(err) });
    const error = InternalError.unencodable(messageOf(err));
    return JSON.stringify(errorResponse(response.id, error));
  }
}
