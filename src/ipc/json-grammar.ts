// JSON's grammar one significant byte at a time, with no recursion: enough to tell where a value ends, how deep it is, and the moment it cannot be valid.

export const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
export const QUOTE = 0x22;
const BACKSLASH = 0x5c;
export const OPEN_BRACE = 0x7b;
export const CLOSE_BRACE = 0x7d;
export const OPEN_BRACKET = 0x5b;
export const CLOSE_BRACKET = 0x5d;

/** What the grammar expects next inside an object or array. */
const enum Expect {
  Value,
  ValueOrClose,
  Key,
  KeyOrClose,
  Colon,
  AfterValue,
}

const OBJECT = true;
const ARRAY = false;

export function isSpace(b: number): boolean {
  return b === SPACE || b === LF || b === CR || b === TAB;
}

/** Bytes that may continue a number or a literal (true, false, null); JSON.parse judges the token itself. */
export function isTokenByte(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || b === 0x2e || b === 0x2b || b === 0x2d;
}

/** Where a scan stands inside one value: open containers, what comes next, inside a string or a number or literal. */
export class JsonGrammar {
  /** Open containers, innermost last: OBJECT or ARRAY. */
  private readonly stack: boolean[] = [];
  private expect: Expect = Expect.Value;
  inString = false;
  private escaped = false;
  inToken = false;

  constructor(private readonly maxDepth: number) {}

  /** Containers open right now. */
  get depth(): number {
    return this.stack.length;
  }

  /** A new value starts. */
  begin(): void {
    this.expect = Expect.Value;
  }

  /** Back to no value at all. */
  reset(): void {
    this.stack.length = 0;
    this.expect = Expect.Value;
    this.inString = false;
    this.escaped = false;
    this.inToken = false;
  }

  /** One byte inside a string: only an unescaped quote ends it. */
  stringByte(b: number): void {
    if (this.escaped) this.escaped = false;
    else if (b === BACKSLASH) this.escaped = true;
    else if (b === QUOTE) this.inString = false;
  }

  /** One significant byte through the grammar. */
  step(b: number): 'go' | 'done' | 'invalid' | 'deep' {
    const top = this.stack[this.stack.length - 1];
    switch (this.expect) {
      case Expect.Value:
      case Expect.ValueOrClose:
        if (b === OPEN_BRACE || b === OPEN_BRACKET) {
          this.stack.push(b === OPEN_BRACE ? OBJECT : ARRAY);
          if (this.stack.length > this.maxDepth) return 'deep';
          this.expect = b === OPEN_BRACE ? Expect.KeyOrClose : Expect.ValueOrClose;
          return 'go';
        }
        if (b === CLOSE_BRACKET && this.expect === Expect.ValueOrClose) return this.close();
        if (b === QUOTE) {
          this.inString = true;
          this.expect = Expect.AfterValue;
          return 'go';
        }
        if (isTokenByte(b)) {
          this.inToken = true;
          this.expect = Expect.AfterValue;
          return 'go';
        }
        return 'invalid';
      case Expect.Key:
      case Expect.KeyOrClose:
        if (b === QUOTE) {
          this.inString = true;
          this.expect = Expect.Colon;
          return 'go';
        }
        if (b === CLOSE_BRACE && this.expect === Expect.KeyOrClose) return this.close();
        return 'invalid';
      case Expect.Colon:
        if (b !== 0x3a) return 'invalid';
        this.expect = Expect.Value;
        return 'go';
      case Expect.AfterValue:
        if (b === 0x2c) {
          this.expect = top === OBJECT ? Expect.Key : Expect.Value;
          return 'go';
        }
        if ((b === CLOSE_BRACE && top === OBJECT) || (b === CLOSE_BRACKET && top === ARRAY)) return this.close();
        return 'invalid';
    }
  }

  private close(): 'go' | 'done' {
    this.stack.pop();
    this.expect = Expect.AfterValue;
    return this.stack.length === 0 ? 'done' : 'go';
  }
}
