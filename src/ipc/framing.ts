// Framing for the control socket: messages are JSON values found by their own boundaries, with caps on size and depth.
import { CLOSE_BRACE, CLOSE_BRACKET, JsonGrammar, LF, OPEN_BRACE, OPEN_BRACKET, QUOTE, isSpace, isTokenByte } from './json-grammar.js';

/** Largest message kept, in bytes; a larger one is answered REQUEST_TOO_LARGE and the connection closed. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;
/** Deepest nesting of arrays and objects accepted in a request; no zinit request goes past 4. */
export const DEFAULT_MAX_DEPTH = 64;

export interface FramerHandlers {
  /**
   * One complete JSON object or array as text, or a stray line of anything else (for the parser to
   * reject). `parsed` holds its value when the framer had to parse it already (see `JsonFramer`).
   */
  readonly onMessage: (text: string, parsed?: { readonly value: unknown }) => void;
  /** A message nested deeper than the cap; it was skipped whole (nothing of it kept) and reading goes on. */
  readonly onTooDeep: (maxDepth: number) => void;
  /** The current message grew past the cap; everything after this is ignored. */
  readonly onTooLarge: (maxBytes: number) => void;
}

export interface FramerLimits {
  readonly maxBytes: number;
  readonly maxDepth: number;
}

type Mode = 'between' | 'structured' | 'skipping' | 'stray';

/**
 * Splits a byte stream into JSON values the way zinit's server does: an object or array ends at
 * its matching bracket, so a trailing newline is optional and values may arrive back to back,
 * and a value may span lines. The scan is one pass over each byte with no recursion, following
 * JSON's grammar closely enough to notice the moment a value cannot be valid (`{not json`):
 * such a value then runs to the end of its line, goes to the parser for a parse error, and the
 * next line starts afresh. A value nested past `maxDepth` is skipped without being kept, so a
 * request nested a million deep costs its bytes once and never reaches JSON.parse.
 *
 * Without a depth cap (`maxDepth: Infinity`, the client reading the daemon's answers), a line
 * that starts a value and ends in this chunk is first offered whole to JSON.parse: a line that
 * parses is exactly one message, found without the byte-by-byte scan (which, in a process that
 * lives 50 ms, runs interpreted: about 4 ms for a 25 KB answer); anything else (a value over
 * several lines or chunks, values back to back, an invalid line) takes the scan as before.
 */
export class JsonFramer {
  private parts: Buffer[] = [];
  private size = 0;
  private mode: Mode = 'between';
  private readonly grammar: JsonGrammar;
  /** Depth of brackets while skipping a value that went past the depth cap. */
  private skipDepth = 0;
  private tooDeep = false;
  /** Set by a scan that found the end of the current message. */
  private messageDone = false;
  private stopped = false;
  private readonly maxBytes: number;
  private readonly maxDepth: number;

  constructor(
    limits: FramerLimits,
    private readonly handlers: FramerHandlers,
  ) {
    for (const [name, value] of Object.entries(limits)) {
      if (!(Number.isInteger(value) && value > 0) && value !== Infinity) {
        throw new RangeError(`JsonFramer limit \`${name}\` must be a positive integer, got ${String(value)}`);
      }
    }
    this.maxBytes = limits.maxBytes;
    this.maxDepth = limits.maxDepth;
    this.grammar = new JsonGrammar(limits.maxDepth);
  }

  /** Bytes of the unfinished message currently held. */
  get pendingBytes(): number {
    return this.size;
  }

  get overflowed(): boolean {
    return this.stopped;
  }

  push(chunk: Buffer): void {
    let i = 0;
    const n = chunk.length;
    while (i < n && !this.stopped) {
      if (this.mode === 'between') {
        const b = chunk[i] as number;
        if (isSpace(b)) {
          i++;
          continue;
        }
        if ((b === OPEN_BRACE || b === OPEN_BRACKET) && this.maxDepth === Infinity) {
          const next = this.wholeLine(chunk, i);
          if (next !== -1) {
            i = next;
            continue;
          }
        }
        this.mode = b === OPEN_BRACE || b === OPEN_BRACKET ? 'structured' : 'stray';
        this.grammar.begin();
      }
      const start = i;
      let end: number;
      if (this.mode === 'stray') end = this.scanStray(chunk, i);
      else if (this.mode === 'structured') end = this.scanStructured(chunk, i);
      else end = this.scanSkipping(chunk, i);
      // A structured scan may also hand over to another mode mid-chunk, which goes on from `end`.
      const stop = end >= 0 ? end : n;
      if (!this.keep(chunk, start, stop)) return;
      i = stop;
      if (this.messageDone) this.emit();
    }
  }

  /** The input ended: an unfinished message still goes to the parser, which tells the client what is wrong. */
  finish(): void {
    if (this.stopped || this.mode === 'between') return;
    this.emit();
  }

  /** Stops delivering messages (the connection is going away). */
  stop(): void {
    this.stopped = true;
    this.parts = [];
    this.size = 0;
  }

  /** Delivers the line starting at `from` if it is one JSON value; the index past its newline, or -1. */
  private wholeLine(chunk: Buffer, from: number): number {
    const nl = chunk.indexOf(LF, from);
    if (nl === -1 || nl - from > this.maxBytes) return -1;
    const text = chunk.toString('utf8', from, nl);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return -1;
    }
    this.handlers.onMessage(text.trim(), { value });
    return nl + 1;
  }

  /** Index just past the newline ending a stray line, or -1 when it goes on past this chunk. */
  private scanStray(chunk: Buffer, from: number): number {
    const nl = chunk.indexOf(LF, from);
    if (nl === -1) return -1;
    this.messageDone = true;
    return nl + 1;
  }

  /** Brackets only, strings respected: the end of a value too deep to be kept. */
  private scanSkipping(chunk: Buffer, from: number): number {
    const n = chunk.length;
    for (let i = from; i < n; i++) {
      const b = chunk[i] as number;
      if (this.grammar.inString) {
        this.grammar.stringByte(b);
      } else if (b === QUOTE) {
        this.grammar.inString = true;
      } else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
        this.skipDepth++;
      } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
        this.skipDepth--;
        if (this.skipDepth === 0) {
          this.messageDone = true;
          return i + 1;
        }
      }
    }
    return -1;
  }

  /**
   * Index just past the bracket closing the value, or -1 when it goes on past this chunk. When
   * the value turns out invalid or too deep, switches mode and returns the index where the new
   * mode takes over.
   */
  private scanStructured(chunk: Buffer, from: number): number {
    const n = chunk.length;
    for (let i = from; i < n; i++) {
      const b = chunk[i] as number;
      if (this.grammar.inString) {
        this.grammar.stringByte(b);
        continue;
      }
      if (this.grammar.inToken) {
        if (isTokenByte(b)) continue;
        this.grammar.inToken = false;
      }
      if (isSpace(b)) continue;
      const verdict = this.grammar.step(b);
      if (verdict === 'done') {
        this.messageDone = true;
        return i + 1;
      }
      if (verdict === 'invalid') {
        this.mode = 'stray';
        return i;
      }
      if (verdict === 'deep') {
        this.mode = 'skipping';
        this.tooDeep = true;
        this.skipDepth = this.grammar.depth;
        this.grammar.inString = false;
        return i + 1;
      }
    }
    return -1;
  }

  /** Holds bytes [start, end) of the current message; false once the message is past the cap. */
  private keep(chunk: Buffer, start: number, end: number): boolean {
    if (end <= start) return true;
    this.size += end - start;
    if (this.size > this.maxBytes) {
      this.stop();
      this.handlers.onTooLarge(this.maxBytes);
      return false;
    }
    // A message already known to be too deep is only measured, never kept.
    if (!this.tooDeep) this.parts.push(chunk.subarray(start, end));
    else this.parts = [];
    return true;
  }

  private emit(): void {
    const tooDeep = this.tooDeep;
    const bytes = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts);
    this.parts = [];
    this.size = 0;
    this.mode = 'between';
    this.grammar.reset();
    this.skipDepth = 0;
    this.tooDeep = false;
    this.messageDone = false;
    if (tooDeep) {
      this.handlers.onTooDeep(this.maxDepth);
      return;
    }
    const text = bytes.toString('utf8').trim();
    if (text.length > 0) this.handlers.onMessage(text);
  }
}

/** One message as one line. JSON.stringify escapes every newline inside strings, so the frame cannot break. */
export function encodeLine(message: unknown): string {
  const text = JSON.stringify(message);
  if (text === undefined) throw new TypeError(`cannot encode ${typeof message} as JSON`);
  return `${text}\n`;
}
