// A bounded ring of one service's lines (by count and by bytes), oldest evicted first, with a record of what it evicted.

import { EvictionHistory } from './eviction-history.js';
import type { LogLine } from './log-line.js';

/** Bytes a line is charged: its text at two bytes a character (the worst a JS string holds) plus the record. */
export function lineCost(line: LogLine): number {
  return line.text.length * 2 + 64;
}

/** Slots before the live window are compacted away once they are this many and half the array. */
const COMPACT_AFTER = 1024;

export class ServiceRing {
  // Lines live in lines[head..]; evicting moves head, and the dead prefix is sliced off now and then.
  private lines: LogLine[] = [];
  private head = 0;
  private bytes = 0;
  private history: EvictionHistory | null = null;

  constructor(
    private readonly capacity: number,
    private readonly maxBytes: number = Infinity,
  ) {}

  get size(): number {
    return this.lines.length - this.head;
  }

  /** Bytes the retained lines are charged. */
  get byteSize(): number {
    return this.bytes;
  }

  push(line: LogLine): void {
    const cost = lineCost(line);
    while (this.size > 0 && (this.size >= this.capacity || this.bytes + cost > this.maxBytes)) this.evictOldest();
    this.lines.push(line);
    this.bytes += cost;
  }

  /** The i-th oldest retained line. */
  at(i: number): LogLine | undefined {
    if (i < 0 || i >= this.size) return undefined;
    return this.lines[this.head + i];
  }

  /** Index of the oldest retained line with seq > after (size when none). */
  firstAfter(after: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.at(mid)?.seq ?? Infinity) > after) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Evicted lines with seq in (after, upTo]. */
  missedBetween(after: number, upTo: number): number {
    return this.history === null ? 0 : this.history.countBetween(after, upTo);
  }

  toArray(): LogLine[] {
    return this.lines.slice(this.head);
  }

  private evictOldest(): void {
    const old = this.lines[this.head];
    if (old === undefined) return;
    this.history ??= new EvictionHistory(this.capacity);
    this.history.record(old.seq);
    this.bytes -= lineCost(old);
    this.head += 1;
    if (this.head >= COMPACT_AFTER && this.head * 2 >= this.lines.length) {
      this.lines = this.lines.slice(this.head);
      this.head = 0;
    }
  }
}
