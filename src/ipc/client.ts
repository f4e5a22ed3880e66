// The control socket client: one connection to the daemon carrying any number of calls and subscriptions.
import type net from 'node:net';
import { JsonFramer, encodeLine } from './framing.js';
import { isPlainObject } from './param-binder.js';
import { rpcErrorOf } from './answer-error.js';
import { SubscriptionStreams } from './client-streams.js';
import { errnoOf } from '../errors/errno.js';
import { TransportError } from './transport-error.js';
import { openSocket } from './open-socket.js';

export { TransportError, type TransportErrorKind } from './transport-error.js';

export interface ConnectOptions {
  /** How long to wait for the daemon to accept the connection. */
  readonly timeoutMs?: number;
  /** Largest answer accepted (answers such as a whole log ring can be large). */
  readonly maxMessageBytes?: number;
}

export interface CallOptions {
  /** Reject with a TransportError of kind 'timeout' if no answer comes within this time. */
  readonly timeoutMs?: number;
}

export interface Subscription {
  /** The subscribe call's own result (the subscription id). */
  readonly result: unknown;
  /** Resolves when the server ends the stream or the connection. */
  readonly closed: Promise<void>;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 2000;
export const DEFAULT_CLIENT_MAX_MESSAGE_BYTES = 256 * 1024 * 1024;
const CLOSE_GRACE_MS = 500;

interface Pending {
  readonly method: string;
  readonly resolve: (result: unknown) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout | undefined;
  /** For a subscribe call: registers the stream the moment its id is known, before later lines are read. */
  readonly onResult?: (result: unknown) => void;
}

export class RpcClient {
  private readonly pending = new Map<number, Pending>();
  private readonly streams = new SubscriptionStreams();
  private nextId = 1;
  private failure: Error | undefined;
  private readonly closedPromise: Promise<void>;

  private constructor(
    private readonly socket: net.Socket,
    readonly path: string,
    maxMessageBytes: number,
  ) {
    // Answers are trusted for depth (a process tree nests as deep as the processes do).
    const splitter = new JsonFramer({ maxBytes: maxMessageBytes, maxDepth: Infinity }, {
      onMessage: (line, parsed) => this.onLine(line, parsed),
      onTooDeep: () => undefined,
      onTooLarge: (max) => {
        this.failure ??= new TransportError('protocol', `an answer from zinit-ts at ${path} exceeded ${max} bytes`);
        socket.destroy();
      },
    });
    socket.on('data', (chunk: Buffer) => splitter.push(chunk));
    socket.on('end', () => splitter.finish());
    socket.on('error', (err) => {
      this.failure ??= new TransportError('closed', `connection to zinit-ts at ${path} failed: ${err.message}`, errnoOf(err), err);
    });
    this.closedPromise = new Promise((resolve) => {
      socket.once('close', () => {
        this.onClosed();
        resolve();
      });
    });
  }

  /**
   * Connects to the daemon; fails at once with a clear message when none is running. A full
   * accept queue (EAGAIN: the daemon is busy) is retried until the timeout, as it clears by itself.
   */
  static async connect(socketPath: string, options: ConnectOptions = {}): Promise<RpcClient> {
    const socket = await openSocket(socketPath, options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
    return new RpcClient(socket, socketPath, options.maxMessageBytes ?? DEFAULT_CLIENT_MAX_MESSAGE_BYTES);
  }

  /** Resolves when the connection is gone, whoever ended it. */
  get closed(): Promise<void> {
    return this.closedPromise;
  }

  /** Calls a method; rejects with RpcError (the server's code and message) or TransportError. */
  call(method: string, params?: unknown, options: CallOptions = {}): Promise<unknown> {
    return this.request(method, params, options, undefined);
  }

  /** Sends a notification: no id, no answer. */
  notify(method: string, params?: unknown): void {
    if (!this.socket.writable) return;
    this.socket.write(encodeLine(params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params }));
  }

  /**
   * Calls a subscription method and delivers its notifications
   * (`params: {subscription: <id>, result: <item>}`) to `onNotification`, in order.
   */
  async subscribe(method: string, params: unknown, onNotification: (item: unknown) => void): Promise<Subscription> {
    let ended!: () => void;
    const closed = new Promise<void>((resolve) => {
      ended = resolve;
    });
    this.streams.subscribing();
    try {
      const result = await this.request(method, params, {}, (id) => this.streams.open(id, onNotification, ended));
      return { result, closed };
    } finally {
      this.streams.subscribed();
    }
  }

  /** Ends the connection; pending calls reject, subscriptions close. */
  close(): Promise<void> {
    this.closedByUs();
    if (!this.socket.destroyed) {
      this.socket.end();
      setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
    }
    return this.closedPromise;
  }

  /**
   * Closes the connection at once, without waiting for the daemon to end its side as close()
   * does (a round trip through its event loop, about 1.5 ms of a CLI command's life): for a
   * client that has every answer it asked for. The daemon reads the same end of input.
   */
  destroy(): Promise<void> {
    this.closedByUs();
    this.socket.destroy();
    return this.closedPromise;
  }

  private closedByUs(): void {
    this.failure ??= new TransportError('closed', `connection to zinit-ts at ${this.path} was closed by this client`);
    const failure = this.failure;
    this.failAll(() => failure);
  }

  private request(
    method: string,
    params: unknown,
    options: CallOptions,
    onResult: ((result: unknown) => void) | undefined,
  ): Promise<unknown> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (!this.socket.writable) {
      return Promise.reject(new TransportError('closed', `connection to zinit-ts at ${this.path} is closed`));
    }
    const id = this.nextId++;
    let line: string;
    try {
      line = encodeLine(params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params });
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    return new Promise((resolve, reject) => {
      const timer =
        options.timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              this.pending.delete(id);
              reject(new TransportError('timeout', `${method}: no answer from zinit-ts within ${options.timeoutMs} ms`));
            }, options.timeoutMs);
      const entry: Pending = onResult === undefined ? { method, resolve, reject, timer } : { method, resolve, reject, timer, onResult };
      this.pending.set(id, entry);
      this.socket.write(line);
    });
  }

  private onLine(line: string, parsed: { readonly value: unknown } | undefined): void {
    let message: unknown;
    try {
      message = parsed === undefined ? JSON.parse(line) : parsed.value;
    } catch {
      this.failure ??= new TransportError('protocol', `zinit-ts at ${this.path} sent a line that is not JSON`);
      this.socket.destroy();
      return;
    }
    for (const item of Array.isArray(message) ? (message as unknown[]) : [message]) {
      if (!isPlainObject(item)) continue;
      if (typeof item.method === 'string' && !Object.hasOwn(item, 'id')) this.streams.notification(item);
      else this.onResponse(item);
    }
  }

  private onResponse(response: Record<string, unknown>): void {
    const id = response.id;
    if (id === null || id === undefined) {
      // An answer to no request in particular (too many connections, request too large): it concerns them all.
      if (Object.hasOwn(response, 'error')) {
        const err = rpcErrorOf(response.error);
        this.failure ??= err;
        this.failAll(() => err);
      }
      return;
    }
    if (typeof id !== 'number') return;
    const entry = this.pending.get(id);
    if (entry === undefined) return;
    this.pending.delete(id);
    clearTimeout(entry.timer);
    if (Object.hasOwn(response, 'error')) {
      entry.reject(rpcErrorOf(response.error));
      return;
    }
    entry.onResult?.(response.result);
    entry.resolve(response.result);
  }

  private failAll(errorFor: (method: string) => Error): void {
    for (const [id, entry] of this.pending) {
      this.pending.delete(id);
      clearTimeout(entry.timer);
      entry.reject(errorFor(entry.method));
    }
  }

  private onClosed(): void {
    const failure = this.failure;
    this.failAll(
      (method) =>
        failure ?? new TransportError('closed', `connection to zinit-ts at ${this.path} closed before it answered ${method}`),
    );
    this.failure ??= new TransportError('closed', `connection to zinit-ts at ${this.path} is closed`);
    this.streams.endAll();
  }
}
