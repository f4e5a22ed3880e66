// Turns a byte stream arriving in arbitrary chunks into whole text lines, with a cap on line length.

const LF = 0x0a;
const CR = 0x0d;

export interface LineSplitterOptions {
  /** Longest line emitted whole, in bytes (at least 4, so a UTF-8 character always fits); longer lines come out in pieces of at most this size. */
  readonly maxLineBytes: number;
}

export class LineSplitter {
  private readonly maxLineBytes: number;
  // The unfinished line, kept as the chunks it arrived in so a slow trickle costs no copying.
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(
    private readonly onLine: (text: string) => void,
    options: LineSplitterOptions,
  ) {
    const max = options.maxLineBytes;
    if (!Number.isInteger(max) || max < 4) {
      throw new RangeError(`Expected \`maxLineBytes\` to be an integer of at least 4, got ${String(max)}`);
    }
    this.maxLineBytes = max;
  }

  /** Feeds the next chunk; every line it completes is emitted before this returns. */
  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(LF, start);
      if (nl === -1) break;
      if (this.pendingBytes === 0) {
        this.emitLine(chunk, start, nl);
      } else {
        this.pending.push(chunk.subarray(start, nl));
        const line = Buffer.concat(this.pending, this.pendingBytes + nl - start);
        this.pending = [];
        this.pendingBytes = 0;
        this.emitLine(line, 0, line.length);
      }
      start = nl + 1;
    }
    if (start < chunk.length) this.keep(chunk, start);
  }

  /** Emits whatever partial line is left (the stream ended without a final newline). */
  flush(): void {
    if (this.pendingBytes === 0) return;
    const line = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.emitLine(line, 0, line.length);
  }

  private keep(chunk: Buffer, start: number): void {
    // A copy, so a short tail does not pin the whole chunk it came in.
    const rest = Buffer.from(chunk.subarray(start));
    this.pending.push(rest);
    this.pendingBytes += rest.length;
    if (this.pendingBytes <= this.maxLineBytes) return;
    const all = Buffer.concat(this.pending, this.pendingBytes);
    let from = 0;
    while (all.length - from > this.maxLineBytes) {
      const cut = charBoundary(all, from + this.maxLineBytes, from);
      this.onLine(all.toString('utf8', from, cut));
      from = cut;
    }
    const tail = Buffer.from(all.subarray(from));
    this.pending = [tail];
    this.pendingBytes = tail.length;
  }

  private emitLine(buf: Buffer, start: number, end: number): void {
    if (end > start && buf[end - 1] === CR) end -= 1;
    while (end - start > this.maxLineBytes) {
      const cut = charBoundary(buf, start + this.maxLineBytes, start);
      this.onLine(buf.toString('utf8', start, cut));
      start = cut;
    }
    this.onLine(buf.toString('utf8', start, end));
  }
}

/**
 * Moves a cut back to the start of the UTF-8 character it falls in, so a piece boundary never
 * turns one valid character into two replacement characters. Invalid bytes are cut where they are.
 */
function charBoundary(buf: Buffer, cut: number, floor: number): number {
  for (let i = cut, steps = 0; i > floor && steps < 4; i--, steps++) {
    const byte = buf[i] ?? 0;
    if ((byte & 0xc0) !== 0x80) return byte >= 0xc0 || steps === 0 ? i : cut;
  }
  return cut;
}
