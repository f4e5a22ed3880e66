// Remembers which sequence numbers a ring evicted, so a late follower can be told exactly what it missed.

/**
 * Evicted seqs are stored as runs of consecutive numbers (a noisy service evicts long runs), in a
 * bounded ring of runs. When the ring is full the oldest run is folded into a summary; counts
 * stay exact for every cursor at or after the newest folded seq, and for cursors before all
 * evictions, and are an upper bound only for a cursor that falls inside folded history.
 */
export class EvictionHistory {
  private readonly startSeq: Float64Array;
  private readonly endSeq: Float64Array;
  /** Total evicted count once the run is complete, so no run ever needs rewriting. */
  private readonly countAtEnd: Float64Array;
  private head = 0;
  private size = 0;
  private total = 0;
  private foldedCount = 0;
  private foldedMaxSeq = 0;
  private firstSeq = Infinity;

  constructor(private readonly maxRuns: number) {
    this.startSeq = new Float64Array(maxRuns);
    this.endSeq = new Float64Array(maxRuns);
    this.countAtEnd = new Float64Array(maxRuns);
  }

  get evicted(): number {
    return this.total;
  }

  /** Records one eviction; seqs arrive in increasing order. */
  record(seq: number): void {
    this.total += 1;
    if (this.total === 1) this.firstSeq = seq;
    if (this.size > 0) {
      const last = (this.head + this.size - 1) % this.maxRuns;
      if (this.endSeq[last] === seq - 1) {
        this.endSeq[last] = seq;
        this.countAtEnd[last] = this.total;
        return;
      }
    }
    if (this.size === this.maxRuns) {
      this.foldedCount = this.countAtEnd[this.head] ?? 0;
      this.foldedMaxSeq = this.endSeq[this.head] ?? 0;
      this.head = (this.head + 1) % this.maxRuns;
      this.size -= 1;
    }
    const slot = (this.head + this.size) % this.maxRuns;
    this.startSeq[slot] = seq;
    this.endSeq[slot] = seq;
    this.countAtEnd[slot] = this.total;
    this.size += 1;
  }

  /** Evicted lines with seq in (after, upTo]. */
  countBetween(after: number, upTo: number): number {
    if (upTo <= after) return 0;
    return Math.max(0, this.rank(Math.floor(upTo), 'upper') - this.rank(Math.floor(after), 'lower'));
  }

  // Number of evicted seqs <= s; exact unless s falls inside folded history, where it is the given bound.
  private rank(s: number, bound: 'lower' | 'upper'): number {
    if (s === Infinity) return this.total;
    let lo = 0;
    let hi = this.size - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.startSeq[(this.head + mid) % this.maxRuns] ?? 0) <= s) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (found === -1) {
      if (s >= this.foldedMaxSeq) return this.foldedCount;
      if (s < this.firstSeq) return 0;
      // Folded seqs are distinct integers in [firstSeq, foldedMaxSeq]: at most (s - firstSeq + 1)
      // of them lie at or below s, and at most (foldedMaxSeq - s) above it.
      if (bound === 'upper') return Math.min(this.foldedCount, s - this.firstSeq + 1);
      return Math.max(0, this.foldedCount - (this.foldedMaxSeq - s));
    }
    const slot = (this.head + found) % this.maxRuns;
    const end = this.endSeq[slot] ?? 0;
    const atEnd = this.countAtEnd[slot] ?? 0;
    return s >= end ? atEnd : atEnd - (end - s);
  }
}
