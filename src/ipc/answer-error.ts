// The error of an answer from the daemon as an RpcError with its code, message and data.
import { InternalError, RpcError } from '../errors/errors.js';
import { isPlainObject } from './param-binder.js';
import type { JsonRpcErrorObject } from './wire.js';

export function rpcErrorOf(error: unknown): RpcError {
  if (isPlainObject(error) && typeof error.code === 'number' && typeof error.message === 'string') {
    const e = error as unknown as JsonRpcErrorObject;
    return new RpcError(e.code, e.message, e.data);
  }
  return new InternalError(`malformed error answer: ${JSON.stringify(error)}`);
}
