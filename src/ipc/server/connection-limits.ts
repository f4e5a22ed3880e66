// What bounds one control-socket client: request size and depth, unsent answers, requests running, streams, idleness.

export interface RpcLogger {
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export interface ConnectionLimits {
  readonly maxRequestBytes: number;
  readonly maxDepth: number;
  readonly highWaterMark: number;
  readonly maxInFlight: number;
  readonly maxStreams: number;
  readonly idleTimeoutMs: number;
}

export const MAX_BATCH_LENGTH = 1000;
/** A client that was told to go away gets this long to read the reason before it is cut off. */
export const EVICTION_GRACE_MS = 1000;
