// A run's output towards its client: backpressure first, then a bounded queue, then lines dropped and counted, the gap told when the client reads again.
import { encodeLine } from './framing.js';
import type { RpcContext } from './method-table.js';
import { subscriptionEnd, subscriptionItem } from './wire.js';

export const DEFAULT_RUN_QUEUE_BYTES = 4 * 1024 * 1024;
/** How long a run's output may stay paused for a client that does not read before lines are dropped instead. */
export const DEFAULT_RUN_PAUSE_LIMIT_MS = 10_000;
const METHOD = 'system_run';
/** Bytes a queued line is charged beyond its text (the item and its envelope). */
const ITEM_OVERHEAD = 64;

export interface RunOutputItem {
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
}

export interface RunFlow {
  pause(): void;
  resume(): void;
}

export interface RunStreamOptions {
  readonly maxQueuedBytes?: number;
  readonly pauseLimitMs?: number;
}

/**
 * A client that stops reading (a suspended terminal) first holds the command up, as a full pipe
 * would: its output is paused, costing nothing. If the client still does not read after
 * `pauseLimitMs`, the command is let go on and its lines past the queue bound are counted
 * instead of kept; the client gets `{gap: {dropped: N}}` in their place once it reads again.
 * Memory is the socket's high-water mark plus `maxQueuedBytes`, whatever the command prints.
 * The final `{exit: …}` item always gets through.
 */
export class RunStream {
  private readonly queue: unknown[] = [];
  private queuedBytes = 0;
  private pendingGap = 0;
  private droppedTotal = 0;
  private waiting = false;
  private flushScheduled = false;
  private finished = false;
  private flow: RunFlow | null = null;
  private paused = false;
  /** Set once the pause limit passed with the client still not reading: lines past the bound are dropped. */
  private dropping = false;
  private pauseTimer: NodeJS.Timeout | undefined;
  private readonly maxQueuedBytes: number;
  private readonly pauseLimitMs: number;

  constructor(
    private readonly ctx: RpcContext,
    readonly id: number,
    options: RunStreamOptions = {},
  ) {
    this.maxQueuedBytes = options.maxQueuedBytes ?? DEFAULT_RUN_QUEUE_BYTES;
    this.pauseLimitMs = options.pauseLimitMs ?? DEFAULT_RUN_PAUSE_LIMIT_MS;
    ctx.signal.addEventListener('abort', () => this.release(), { once: true });
  }

  /** Lines dropped so far because the client was not reading. */
  get dropped(): number {
    return this.droppedTotal;
  }

  /** How to hold the command's output up; without it, lines past the bound are dropped at once. */
  useFlow(flow: RunFlow): void {
    this.flow = flow;
  }

  output(item: RunOutputItem): void {
    if (this.finished || this.ctx.signal.aborted) return;
    const size = item.text.length + ITEM_OVERHEAD;
    if (this.queuedBytes + size > this.maxQueuedBytes) {
      if (this.flow !== null && !this.dropping) {
        // Already read from the pipe: kept (one line past the bound at most per read), then the pipe waits.
        this.hold();
      } else {
        this.pendingGap += 1;
        this.droppedTotal += 1;
        return;
      }
    }
    if (this.pendingGap > 0) this.enqueueGap();
    this.queue.push(item);
    this.queuedBytes += size;
    this.scheduleFlush();
  }

  /** The last item; the stream ends after it. */
  finish(exit: Record<string, unknown>): void {
    if (this.finished) return;
    if (this.pendingGap > 0) this.enqueueGap();
    this.finished = true;
    this.release();
    this.queue.push({ exit: { ...exit, droppedLines: this.droppedTotal } });
    this.scheduleFlush();
  }

  private hold(): void {
    if (this.paused || this.flow === null) return;
    this.paused = true;
    this.flow.pause();
    this.pauseTimer = setTimeout(() => {
      this.dropping = true;
      this.release();
    }, this.pauseLimitMs);
    this.pauseTimer.unref();
  }

  /** Lets the command's output flow again. */
  private release(): void {
    clearTimeout(this.pauseTimer);
    this.pauseTimer = undefined;
    if (!this.paused) return;
    this.paused = false;
    this.flow?.resume();
  }

  private enqueueGap(): void {
    this.queue.push({ gap: { dropped: this.pendingGap } });
    this.pendingGap = 0;
  }

  private scheduleFlush(): void {
    if (this.waiting || this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.queue.length > 0 && !this.ctx.signal.aborted) {
      const next = this.queue[0];
      if (!this.ctx.notify(METHOD, subscriptionItem(this.id, next))) {
        this.waiting = true;
        this.ctx.onDrain(() => {
          this.waiting = false;
          this.flush();
        });
        return;
      }
      this.queue.shift();
      const text = (next as Partial<RunOutputItem>).text;
      if (typeof text === 'string') this.queuedBytes -= text.length + ITEM_OVERHEAD;
    }
    // The client reads again: whatever held the command up or dropped its lines ends here.
    if (this.queuedBytes * 2 < this.maxQueuedBytes) {
      this.dropping = false;
      this.release();
    }
    // The end is small and must not be lost to a full buffer, or the client would wait forever.
    if (this.queue.length === 0 && this.finished && !this.ctx.signal.aborted) {
      this.ctx.sendEncoded(encodeLine({ jsonrpc: '2.0', method: METHOD, params: subscriptionEnd(this.id, 'run finished') }));
    }
  }
}
