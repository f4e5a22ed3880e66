// A transient run's output towards its client: queued up to a byte bound, then dropped and counted, the gap told when the client reads again.
import { encodeLine } from './framing.js';
import { subscriptionEnd, subscriptionItem, type RpcContext } from './protocol.js';

export const DEFAULT_RUN_QUEUE_BYTES = 4 * 1024 * 1024;
const METHOD = 'system_run';

export interface RunOutputItem {
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
}

/**
 * The command keeps running and printing whatever its client does: a client that stops reading
 * (a suspended terminal) costs at most the socket's high-water mark plus `maxQueuedBytes`. Lines
 * past that are counted, and the client gets `{gap: {dropped: N}}` in their place once it reads
 * again; the final `{exit: …}` item always gets through.
 */
export class RunStream {
  private readonly queue: unknown[] = [];
  private queuedBytes = 0;
  private pendingGap = 0;
  private droppedTotal = 0;
  private waiting = false;
  private flushScheduled = false;
  private finished = false;

  constructor(
    private readonly ctx: RpcContext,
    readonly id: number,
    private readonly maxQueuedBytes = DEFAULT_RUN_QUEUE_BYTES,
  ) {}

  /** Lines dropped so far because the client was not reading. */
  get dropped(): number {
    return this.droppedTotal;
  }

  output(item: RunOutputItem): void {
    if (this.finished || this.ctx.signal.aborted) return;
    const size = item.text.length + 64;
    if (this.queuedBytes + size > this.maxQueuedBytes) {
      this.pendingGap += 1;
      this.droppedTotal += 1;
      return;
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
    this.queue.push({ exit: { ...exit, droppedLines: this.droppedTotal } });
    this.scheduleFlush();
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
      if (typeof text === 'string') this.queuedBytes -= text.length + 64;
    }
    // The end is small and must not be lost to a full buffer, or the client would wait forever.
    if (this.queue.length === 0 && this.finished && !this.ctx.signal.aborted) {
      this.ctx.sendEncoded(encodeLine({ jsonrpc: '2.0', method: METHOD, params: subscriptionEnd(this.id, 'run finished') }));
    }
  }
}
