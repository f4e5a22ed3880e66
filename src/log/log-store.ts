// In-memory output of every service: one bounded ring each, a global sequence, and a follower API.

import { START_MARKER_TEXT, type LogLine, type OutputStream } from './log-line.js';
import { ServiceRing } from './service-ring.js';

export type { LogLine, OutputStream } from './log-line.js';

export interface LogStoreOptions {
  /** Lines kept per service; a noisy service only ever evicts its own lines. */
  readonly capacityPerService: number;
  /** Bytes of text kept per service (a line is charged two bytes a character); the oldest lines go first. */
  readonly maxBytesPerService?: number;
  readonly now?: () => number;
}

export interface ReadResult {
  /** Retained lines after the cursor, oldest first. */
  readonly lines: LogLine[];
  /**
   * Lines of the filter after the cursor (up to the last returned one, when cut short by `max`)
   * that are gone unread: evicted, or for the merged view also dropped by `forget`. Always exact
   * for the merged view; for one service exact unless the cursor lags that service by more than
   * about two rings in a heavily interleaved log, where it is an upper bound.
   */
  readonly missed: number;
}

/** A service printing 64 KiB lines would otherwise hold capacity × 64 KiB; this keeps each ring near its line count's worth of ordinary lines. */
export const DEFAULT_MAX_BYTES_PER_SERVICE = 2 * 1024 * 1024;

export type AppendListener = (line: LogLine) => void;

export class LogStore {
  private readonly capacity: number;
  private readonly maxBytes: number;
  private readonly now: () => number;
  private readonly rings = new Map<string, ServiceRing>();
  private seq = 0;
  // Replaced, never mutated, so a listener that unsubscribes during a call does not disturb the loop.
  private listeners: readonly AppendListener[] = [];

  constructor(options: LogStoreOptions) {
    const { capacityPerService } = options;
    if (!Number.isInteger(capacityPerService) || capacityPerService < 1) {
      throw new RangeError(
        `Expected \`capacityPerService\` to be a positive integer, got ${String(capacityPerService)}`,
      );
    }
    this.capacity = capacityPerService;
    const maxBytes = options.maxBytesPerService ?? DEFAULT_MAX_BYTES_PER_SERVICE;
    if (!(maxBytes > 0)) throw new RangeError(`Expected \`maxBytesPerService\` to be a positive number of bytes, got ${String(maxBytes)}`);
    this.maxBytes = maxBytes;
    this.now = options.now ?? Date.now;
  }

  append(service: string, stream: OutputStream, text: string): LogLine {
    return this.add(service, stream, text, false);
  }

  /** Records that a process of the service was spawned: a line of its ring, as zinit has one. */
  markStart(service: string): LogLine {
    return this.add(service, 'stderr', START_MARKER_TEXT, true);
  }

  private add(service: string, stream: OutputStream, text: string, start: boolean): LogLine {
    let ring = this.rings.get(service);
    if (ring === undefined) {
      ring = new ServiceRing(this.capacity, this.maxBytes);
      this.rings.set(service, ring);
    }
    this.seq += 1;
    const fields = { seq: this.seq, ts: this.now(), service, stream, text };
    const line: LogLine = start ? { ...fields, start: true } : fields;
    ring.push(line);
    const listeners = this.listeners;
    for (let i = 0; i < listeners.length; i++) listeners[i]?.(line);
    return line;
  }

  /** Retained lines of one service, or of all services merged by seq. */
  snapshot(service?: string): LogLine[] {
    if (service !== undefined) return this.rings.get(service)?.toArray() ?? [];
    return mergeAfter([...this.rings.values()], 0, Infinity).lines;
  }

  /**
   * Lines with seq > afterSeq of one service (or all, for null), at most `max`, oldest first.
   * The follower passes the seq of the last line it got (or latestSeq() when it started) next time.
   */
  readSince(service: string | null, afterSeq: number, max = Infinity): ReadResult {
    if (service === null) {
      const rings = [...this.rings.values()];
      const { lines, upTo } = mergeAfter(rings, afterSeq, max);
      // Every seq up to latestSeq was handed to exactly one line, so whatever of the range is not
      // retained was evicted (or forgotten) unread: exact, whatever the interleaving.
      const from = Math.max(0, Math.floor(afterSeq));
      const to = Math.min(this.seq, Math.floor(upTo));
      if (to <= from) return { lines, missed: 0 };
      let retained = 0;
      for (const ring of rings) retained += ring.firstAfter(to) - ring.firstAfter(from);
      return { lines, missed: to - from - retained };
    }
    const ring = this.rings.get(service);
    if (ring === undefined) return { lines: [], missed: 0 };
    const { lines, upTo } = mergeAfter([ring], afterSeq, max);
    return { lines, missed: ring.missedBetween(afterSeq, upTo) };
  }

  latestSeq(): number {
    return this.seq;
  }

  onAppend(listener: AppendListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** Drops a service's ring, when the service itself is forgotten; returns whether there was one. */
  forget(service: string): boolean {
    return this.rings.delete(service);
  }

  services(): string[] {
    return [...this.rings.keys()].sort();
  }
}

/** Up to `max` retained lines after the cursor, merged by seq, and the seq range they account for. */
function mergeAfter(
  rings: readonly ServiceRing[],
  afterSeq: number,
  max: number,
): { lines: LogLine[]; upTo: number } {
  const limit = Math.max(0, max);
  const cursors = rings.map((ring) => ring.firstAfter(afterSeq));
  const lines: LogLine[] = [];
  while (lines.length < limit) {
    let best = -1;
    let bestSeq = Infinity;
    for (let r = 0; r < rings.length; r++) {
      const seq = rings[r]?.at(cursors[r] ?? 0)?.seq;
      if (seq !== undefined && seq < bestSeq) {
        best = r;
        bestSeq = seq;
      }
    }
    if (best === -1) break;
    const line = rings[best]?.at(cursors[best] ?? 0);
    if (line === undefined) break;
    lines.push(line);
    cursors[best] = (cursors[best] ?? 0) + 1;
  }
  // When cut short by max, the follower resumes after the last line, so the batch stops there.
  const truncated = rings.some((ring, r) => (cursors[r] ?? 0) < ring.size);
  const upTo = truncated ? (lines[lines.length - 1]?.seq ?? afterSeq) : Infinity;
  return { lines, upTo };
}
