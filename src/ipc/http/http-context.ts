// What a method handler gets when it runs for an HTTP request: one answer and no streams.
import { SubscriptionOverHttpError } from '../../errors/http-errors.js';
import type { RpcContext } from '../method-table.js';

/** `signal` aborts when the client goes away before its answer. Opening a stream throws: HTTP cannot carry one. */
export function httpContext(signal: AbortSignal): RpcContext {
  return {
    signal,
    notify: () => false,
    onDrain: () => undefined,
    backlog: 0,
    highWaterMark: 0,
    sendEncoded: () => false,
    openStream: () => {
      throw new SubscriptionOverHttpError(null);
    },
    drop: () => undefined,
  };
}
