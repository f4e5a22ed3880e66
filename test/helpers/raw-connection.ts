// One open connection to the control socket spoken to byte for byte: requests as zinit's clients write them, every message read kept.
import net from 'node:net';
import { waitFor } from './wait-for.js';

export interface RawMessage {
  readonly id?: unknown;
  readonly result?: unknown;
  readonly error?: { readonly code: number; readonly message: string; readonly data?: unknown };
  readonly method?: string;
  readonly params?: { readonly subscription: unknown; readonly result?: unknown };
}

export class RawConnection {
  readonly messages: RawMessage[] = [];
  private buffer = '';

  private constructor(private readonly conn: net.Socket) {
    conn.on('data', (b: Buffer) => {
      this.buffer += b.toString();
      let i: number;
      while ((i = this.buffer.indexOf('\n')) >= 0) {
        this.messages.push(JSON.parse(this.buffer.slice(0, i)) as RawMessage);
        this.buffer = this.buffer.slice(i + 1);
      }
    });
    conn.on('error', () => undefined);
  }

  static open(socket: string): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const conn = net.createConnection(socket);
      conn.once('connect', () => resolve(new RawConnection(conn)));
      conn.once('error', reject);
    });
  }

  /** Writes the text as it is: no newline added, as zinit's IPC client sends a request. */
  write(text: string): void {
    this.conn.write(text);
  }

  /** Sends one request (no newline) and waits for the answer with its id. */
  async request(id: number | string, method: string, params?: unknown, timeoutMs = 10_000): Promise<RawMessage> {
    this.write(JSON.stringify(params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params }));
    return this.answer(id, timeoutMs);
  }

  answer(id: number | string, timeoutMs = 10_000): Promise<RawMessage> {
    return waitFor(() => this.messages.find((m) => m.id === id && m.method === undefined), timeoutMs, `the answer to request ${String(id)}`);
  }

  /** The results of the notifications of one subscription, in order. */
  items(subscription: unknown): unknown[] {
    return this.messages.filter((m) => m.method !== undefined && m.params?.subscription === subscription).map((m) => m.params?.result);
  }

  close(): void {
    this.conn.destroy();
  }
}
