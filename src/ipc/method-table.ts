// What the server runs a request with: a table of methods (params, handler, what OpenRPC says of them) and the context a handler gets.
import type { ParamSpec } from './param-binder.js';

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
  /** Error codes the method may answer with, for the OpenRPC document. */
  readonly errors?: readonly number[];
  /** Receives only the params that were given (null counts as not given); may return a promise. */
  readonly handler: (params: Record<string, unknown>, ctx: RpcContext) => unknown;
}

export type MethodTable = Readonly<Record<string, MethodSpec>>;
