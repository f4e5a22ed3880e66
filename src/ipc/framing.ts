// Newline framing for the control socket: one JSON message per line, with a hard cap on line size.

export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

const NEWLINE = 0x0a;
const BLANK = /^\s*$/;

export interface LineSplitterHandlers {
  /** A complete line, decoded as UTF-8, without its newline (or a trailing CR). Blank lines are skipped. */
  readonly onLine: (line: string) => void;
  /** The current line grew past the cap; everything after this is ignored. */
  readonly onOverflow: (maxLineBytes: number) => void;
}

/**
 * Splits a byte stream into lines. It keeps at most `maxLineBytes` of an unfinished line:
 * the moment a line passes the cap it reports the overflow and drops what it held, so a
 * client sending one endless line costs the cap, not the line.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private stopped = false;

  constructor(
    private readonly maxLineBytes: number,
    private readonly handlers: LineSplitterHandlers,
  ) {
    if (!Number.isInteger(maxLineBytes) || maxLineBytes <= 0) {
      throw new RangeError(`maxLineBytes must be a positive integer, got ${maxLineBytes}`);
    }
  }

  /** Bytes of the unfinished line currently held. */
  get pendingBytes(): number {
    return this.size;
  }

  get overflowed(): boolean {
    return this.stopped;
  }

  push(chunk: Buffer): void {
    let start = 0;
    while (!this.stopped && start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline;
      if (this.size + (end - start) > this.maxLineBytes) {
        this.overflow();
        return;
      }
      if (newline === -1) {
        this.parts.push(chunk.subarray(start));
        this.size += end - start;
        return;
      }
      const line = this.take(chunk.subarray(start, newline));
      start = newline + 1;
      this.emit(line);
    }
  }

  /** The input ended: a last line without its newline still counts. */
  finish(): void {
    if (this.stopped || this.size === 0) return;
    this.emit(this.take(Buffer.alloc(0)));
  }

  /** Stops delivering lines (the connection is going away). */
  stop(): void {
    this.stopped = true;
    this.parts = [];
    this.size = 0;
  }

  private take(tail: Buffer): Buffer {
    if (this.parts.length === 0) return tail;
    this.parts.push(tail);
    const line = Buffer.concat(this.parts, this.size + tail.length);
    this.parts = [];
    this.size = 0;
    return line;
  }

  private emit(bytes: Buffer): void {
    const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
    const line = bytes.toString('utf8', 0, end);
    if (!BLANK.test(line)) this.handlers.onLine(line);
  }

  private overflow(): void {
    this.stop();
    this.handlers.onOverflow(this.maxLineBytes);
  }
}

/** One message as one line. JSON.stringify escapes every newline inside strings, so the frame cannot break. */
export function encodeLine(message: unknown): string {
  const text = JSON.stringify(message);
  if (text === undefined) throw new TypeError(`cannot encode ${typeof message} as JSON`);
  return `${text}\n`;
}
