// A fixed-capacity ring of one service's lines, oldest evicted first, with a record of what it evicted.

import { EvictionHistory } from './eviction-history.js';
import type { LogLine } from './log-line.js';

export class ServiceRing {
  // Grows by push until full, then is overwritten in place: no allocation per line once warm.
  private readonly lines: LogLine[] = [];
  private start = 0;
  private history: EvictionHistory | null = null;

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.lines.length;
  }

  push(line: LogLine): void {
    if (this.lines.length < this.capacity) {
      this.lines.push(line);
      return;
    }
    const old = this.lines[this.start];
    if (old !== undefined) {
      this.history ??= new EvictionHistory(this.capacity);
      this.history.record(old.seq);
    }
    this.lines[this.start] = line;
    this.start = this.start + 1 === this.capacity ? 0 : this.start + 1;
  }

  /** The i-th oldest retained line. */
  at(i: number): LogLine | undefined {
    const n = this.lines.length;
    if (i < 0 || i >= n) return undefined;
    const j = this.start + i;
    return this.lines[j >= n ? j - n : j];
  }

  /** Index of the oldest retained line with seq > after (size when none). */
  firstAfter(after: number): number {
    let lo = 0;
    let hi = this.lines.length;
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
    const out: LogLine[] = new Array<LogLine>(this.lines.length);
    for (let i = 0; i < this.lines.length; i++) out[i] = this.at(i) as LogLine;
    return out;
  }
}
