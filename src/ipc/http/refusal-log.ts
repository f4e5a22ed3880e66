// Refused HTTP requests, told to the log at most once per interval with counts, so a page hammering the listener cannot flood it.
import type { HttpRefusal, HttpRefusedError } from '../../errors/http-errors.js';
import type { RpcLogger } from '../server/connection-limits.js';

export const REFUSAL_LOG_INTERVAL_MS = 10_000;

export class RefusalLog {
  private counts = new Map<HttpRefusal, number>();
  private last = -Infinity;

  constructor(
    private readonly logger: RpcLogger | undefined,
    private readonly intervalMs = REFUSAL_LOG_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** `detail`: what the operator needs to find the caller (Origin, Host, peer); never a token. */
  note(error: HttpRefusedError, detail: Readonly<Record<string, unknown>>): void {
    this.counts.set(error.refusal, (this.counts.get(error.refusal) ?? 0) + 1);
    const now = this.now();
    if (now - this.last < this.intervalMs) return;
    this.last = now;
    const counts = Object.fromEntries(this.counts);
    this.counts = new Map();
    this.logger?.warn('HTTP/RPC request refused', { status: error.status, reason: error.message, ...detail, refusedSinceLastLine: counts });
  }
}
