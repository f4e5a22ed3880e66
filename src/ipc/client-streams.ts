// The client's open subscriptions: notifications routed to each by id, and those that arrive before their subscribe call's answer held back.
import { isPlainObject } from './param-binder.js';

/** Notifications held for a subscription whose id is not known yet (its answer has not arrived). */
const MAX_EARLY_NOTIFICATIONS = 10_000;

interface Stream {
  readonly onItem: (item: unknown) => void;
  readonly end: () => void;
}

/** Keys numbers and strings apart, so subscription 1 and subscription "1" stay distinct. */
function streamKey(id: unknown): string | undefined {
  if (typeof id === 'number') return `n:${id}`;
  if (typeof id === 'string') return `s:${id}`;
  return undefined;
}

function deliver(onItem: (item: unknown) => void, item: unknown): void {
  try {
    onItem(item);
  } catch (err) {
    // A throwing consumer must not take the connection's reader down with it.
    queueMicrotask(() => {
      throw err;
    });
  }
}

export class SubscriptionStreams {
  private readonly streams = new Map<string, Stream>();
  private readonly early = new Map<string, Record<string, unknown>[]>();
  private earlyCount = 0;
  /** Subscribe calls sent whose answer (and so whose id) has not come yet. */
  private awaitingIds = 0;

  /** A subscribe call goes out: notifications for ids not known yet are held from now on. */
  subscribing(): void {
    this.awaitingIds += 1;
  }

  /** A subscribe call was answered (or failed); with none left waiting, what was held is dropped. */
  subscribed(): void {
    this.awaitingIds -= 1;
    if (this.awaitingIds === 0) {
      this.early.clear();
      this.earlyCount = 0;
    }
  }

  /** The stream with this id exists from now on; items that came before its id are delivered first. */
  open(id: unknown, onItem: (item: unknown) => void, end: () => void): void {
    const key = streamKey(id);
    if (key === undefined) {
      end();
      return;
    }
    this.streams.set(key, { onItem: (item) => deliver(onItem, item), end });
    const held = this.early.get(key);
    if (held !== undefined) {
      this.early.delete(key);
      this.earlyCount -= held.length;
      for (const message of held) this.notification(message);
    }
  }

  /** One notification: an item for its stream, or (error and no result) the stream's end. */
  notification(message: Record<string, unknown>): void {
    const params = message.params;
    if (!isPlainObject(params)) return;
    const key = streamKey(params.subscription);
    if (key === undefined) return;
    const stream = this.streams.get(key);
    if (stream === undefined) {
      // The server may send items before the subscribe call's own answer arrives.
      if (this.awaitingIds > 0 && this.earlyCount < MAX_EARLY_NOTIFICATIONS) {
        const held = this.early.get(key) ?? [];
        held.push(message);
        this.early.set(key, held);
        this.earlyCount += 1;
      }
      return;
    }
    if (Object.hasOwn(params, 'error') && !Object.hasOwn(params, 'result')) {
      this.streams.delete(key);
      stream.end();
      return;
    }
    stream.onItem(params.result);
  }

  /** The connection is gone: every stream ends. */
  endAll(): void {
    for (const stream of this.streams.values()) stream.end();
    this.streams.clear();
    this.early.clear();
  }
}
