// Callbacks of one client's streams waiting for its unsent answers to fall below the high-water mark.
import { messageOf } from '../../errors/message-of.js';
import type { RpcLogger } from './connection-limits.js';

export class DrainWaiters {
  private waiters: (() => void)[] = [];

  constructor(
    /** Unsent bytes to the client right now. */
    private readonly backlog: () => number,
    private readonly highWaterMark: number,
    private readonly signal: AbortSignal,
    private readonly logger: RpcLogger | undefined,
  ) {}

  /** Calls `cb` once the backlog is below the mark: on the next turn if it already is. */
  add(cb: () => void): void {
    if (this.signal.aborted) return;
    if (this.backlog() < this.highWaterMark) {
      setImmediate(() => {
        if (!this.signal.aborted) this.call(cb);
      });
      return;
    }
    this.waiters.push(cb);
  }

  /** After a write reached the kernel: wakes every waiter if the backlog fell below the mark. */
  wake(): void {
    if (this.waiters.length > 0 && this.backlog() < this.highWaterMark) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const cb of waiters) this.call(cb);
    }
  }

  clear(): void {
    this.waiters = [];
  }

  private call(cb: () => void): void {
    try {
      cb();
    } catch (err) {
      this.logger?.warn('control socket drain callback failed', { error: messageOf(err) });
    }
  }
}
