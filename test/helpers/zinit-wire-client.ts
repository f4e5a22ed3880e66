// Talks to the control socket the way zinit's own CLI and Rust client do: requests with no trailing newline, several in one write, params positional or named.
import net from 'node:net';

export interface WireResponse {
  readonly jsonrpc: string;
  readonly id?: number | string | null;
  readonly result?: unknown;
  readonly error?: { readonly code: number; readonly message: string; readonly data?: unknown };
  readonly method?: string;
  readonly params?: { readonly subscription: unknown; readonly result: unknown };
}

export type Params = readonly unknown[] | Readonly<Record<string, unknown>>;

/**
 * One connection. Every message the server sends must end with a newline (the contract); a
 * message that does not is a failure of the test, reported by `check()`.
 */
export class ZinitWire {
  private buf = '';
  private nextId = 1;
  private readonly answers = new Map<number | string, WireResponse>();
  private readonly notices: WireResponse[] = [];
  private readonly waiters = new Set<() => void>();
  private failure: Error | null = null;

  private constructor(private readonly conn: net.Socket) {
    conn.setEncoding('utf8');
    conn.on('data', (text: string) => this.take(text));
    conn.on('error', (err) => this.fail(err));
    conn.on('close', () => this.fail(new Error('connection closed by the server')));
  }

  static connect(socket: string, timeoutMs = 5000): Promise<ZinitWire> {
    return new Promise((resolve, reject) => {
      const conn = net.createConnection(socket);
      const timer = setTimeout(() => {
        conn.destroy();
        reject(new Error(`no connection to ${socket} within ${timeoutMs} ms`));
      }, timeoutMs);
      conn.once('connect', () => {
        clearTimeout(timer);
        resolve(new ZinitWire(conn));
      });
      conn.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  /** The request text as zinit's clients write it: compact JSON, no newline. */
  request(method: string, params: Params = []): { readonly id: number; readonly text: string } {
    const id = this.nextId++;
    return { id, text: JSON.stringify({ jsonrpc: '2.0', id, method, params }) };
  }

  /** Writes raw bytes as given (no newline added), optionally in chunks of `chunk` bytes. */
  async write(text: string, chunk = 0): Promise<void> {
    if (chunk <= 0) {
      this.conn.write(text);
      return;
    }
    const bytes = Buffer.from(text);
    for (let i = 0; i < bytes.length; i += chunk) {
      await new Promise<void>((r) => this.conn.write(bytes.subarray(i, i + chunk), () => r()));
    }
  }

  async call(method: string, params: Params = [], timeoutMs = 10_000): Promise<WireResponse> {
    const req = this.request(method, params);
    await this.write(req.text);
    return this.answer(req.id, timeoutMs);
  }

  /** Sends every request in one write, back to back with no separator, and returns the answers in request order. */
  async pipeline(requests: readonly (readonly [string, Params])[], timeoutMs = 10_000): Promise<WireResponse[]> {
    const reqs = requests.map(([m, p]) => this.request(m, p));
    await this.write(reqs.map((r) => r.text).join(''));
    return Promise.all(reqs.map((r) => this.answer(r.id, timeoutMs)));
  }

  answer(id: number | string, timeoutMs = 10_000): Promise<WireResponse> {
    return this.until(() => this.answers.get(id), timeoutMs, `the answer to request ${id}`);
  }

  /** The next notification (a subscription's item) not yet taken. */
  notification(timeoutMs = 10_000): Promise<WireResponse> {
    return this.until(() => this.notices.shift(), timeoutMs, 'a notification');
  }

  /** Notifications received so far and not taken. */
  pendingNotifications(): readonly WireResponse[] {
    return this.notices;
  }

  close(): void {
    this.conn.destroy();
  }

  private until<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const attempt = (): boolean => {
        const v = probe();
        if (v !== undefined) {
          finish();
          resolve(v);
          return true;
        }
        if (this.failure) {
          finish();
          reject(new Error(`${what}: ${this.failure.message}; unparsed: ${JSON.stringify(this.buf.slice(0, 300))}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; unparsed: ${JSON.stringify(this.buf.slice(0, 300))}`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      const waiter = (): void => void attempt();
      if (!attempt()) this.waiters.add(waiter);
    });
  }

  private take(text: string): void {
    this.buf += text;
    let i: number;
    while ((i = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, i);
      this.buf = this.buf.slice(i + 1);
      let msg: WireResponse;
      try {
        msg = JSON.parse(line) as WireResponse;
      } catch {
        this.fail(new Error(`the server sent a line that is not JSON: ${line.slice(0, 200)}`));
        return;
      }
      if (msg.id !== undefined && msg.id !== null) this.answers.set(msg.id, msg);
      else if (msg.method !== undefined) this.notices.push(msg);
      else this.answers.set('null', msg);
    }
    for (const w of [...this.waiters]) w();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of [...this.waiters]) w();
  }
}
