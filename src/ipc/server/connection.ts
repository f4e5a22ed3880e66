// One control-socket client: framing, admission of its requests, flow control of its answers and streams, idleness.
import type net from 'node:net';
import { JsonFramer, encodeLine } from '../framing.js';
import {
  ConnectionDroppedError,
  InternalError,
  InvalidRequestError,
  ParseError,
  RequestTooDeepError,
  RequestTooLargeError,
  RpcError,
  TooManyStreamsError,
} from '../../errors/errors.js';
import type { MethodTable, RpcContext } from '../method-table.js';
import { checkRequest } from '../request-check.js';
import { errorResponse, successResponse, type JsonRpcResponse } from '../wire.js';

export interface RpcLogger {
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export interface ConnectionLimits {
  readonly maxRequestBytes: number;
  readonly maxDepth: number;
  readonly highWaterMark: number;
  readonly maxInFlight: number;
  readonly maxStreams: number;
  readonly idleTimeoutMs: number;
}

export const MAX_BATCH_LENGTH = 1000;
/** Requests started per turn of the event loop before the answers so far are weighed again. */
const REQUESTS_PER_TURN = 16;
/** A client that was told to go away gets this long to read the reason before it is cut off. */
export const EVICTION_GRACE_MS = 1000;

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * One client. Requests are answered as they complete. Input is read only while the client
 * keeps up: requests wait in a queue while its unsent answers are over the high-water mark or
 * too many of its requests are running, and are started a few per turn of the event loop so
 * the answers of one turn are counted before the next requests start. A client with nothing
 * running, no stream open and nothing sent for `idleTimeoutMs` is closed.
 */
export class Connection {
  private readonly controller = new AbortController();
  private readonly framer: JsonFramer;
  private readonly ctx: RpcContext;
  private readonly queue: string[] = [];
  private inFlight = 0;
  private streams = 0;
  private inputEnded = false;
  private paused = false;
  private ending = false;
  private pumpScheduled = false;
  private drainWaiters: (() => void)[] = [];
  private destroyTimer: NodeJS.Timeout | undefined;
  private readonly afterWrite = (): void => this.onWritten();
  /** When the client last sent a byte or last had something running (ms, monotonic enough for idleness). */
  private lastActive = Date.now();
  /** Resolves once the socket is closed and this connection forgotten. */
  readonly closed: Promise<void>;

  constructor(
    private readonly socket: net.Socket,
    private readonly methods: MethodTable,
    private readonly limits: ConnectionLimits,
    private readonly logger: RpcLogger | undefined,
    onGone: (connection: Connection) => void,
  ) {
    this.framer = new JsonFramer(
      { maxBytes: limits.maxRequestBytes, maxDepth: limits.maxDepth },
      {
        onMessage: (text) => this.queue.push(text),
        onTooDeep: (max) => this.onTooDeep(max),
        onTooLarge: (max) => this.onTooLarge(max),
      },
    );
    const socketOf = (): net.Socket => this.socket;
    this.ctx = {
      signal: this.controller.signal,
      notify: (method, params) => this.notify(method, params),
      onDrain: (cb) => this.onDrain(cb),
      get backlog() {
        return socketOf().writableLength;
      },
      highWaterMark: limits.highWaterMark,
      sendEncoded: (text) => this.sendEncoded(text),
      openStream: () => this.openStream(),
      drop: (reason) => this.drop(reason),
    };
    socket.on('data', (chunk: Buffer) => {
      this.lastActive = Date.now();
      this.framer.push(chunk);
      this.pump();
    });
    socket.on('end', () => {
      this.inputEnded = true;
      this.framer.finish();
      this.pump();
      // A vanished client and one that only closed its sending side look alike from here
      // (both are EOF); either way it sends nothing more, so streams and waits on its
      // behalf stop. Answers still in the making are written if the socket takes them.
      this.controller.abort(new Error('the client closed the connection'));
      this.endIfIdle();
    });
    socket.on('drain', () => this.onWritten());
    // EPIPE and ECONNRESET only mean the client left; 'close' follows and cleans up.
    socket.on('error', () => undefined);
    if (limits.idleTimeoutMs !== Infinity) {
      socket.setTimeout(limits.idleTimeoutMs);
      socket.on('timeout', () => this.onIdleTimeout());
    }
    let markClosed!: () => void;
    this.closed = new Promise((resolve) => {
      markClosed = resolve;
    });
    socket.once('close', () => {
      clearTimeout(this.destroyTimer);
      this.framer.stop();
      this.queue.length = 0;
      this.drainWaiters = [];
      this.controller.abort(new Error('the client disconnected'));
      onGone(this);
      markClosed();
    });
  }

  /** Nothing running, no stream open, nothing queued: the connection only holds a slot. */
  get idle(): boolean {
    return this.inFlight === 0 && this.streams === 0 && this.queue.length === 0 && !this.ending;
  }

  /** Milliseconds since the client last sent anything or last had work running. */
  idleFor(now: number): number {
    return this.idle ? now - this.lastActive : 0;
  }

  /** Ends the connection; `abort` tells running handlers at once instead of when the socket closes. */
  shutdown(graceMs: number, abort: boolean): void {
    if (abort) this.controller.abort(new Error('the server is closing'));
    if (this.ending) return;
    this.ending = true;
    this.framer.stop();
    this.queue.length = 0;
    // Keep reading (and dropping) so a client still writing does not stall before it sees the end.
    this.paused = false;
    this.socket.resume();
    this.socket.end();
    this.destroyTimer = setTimeout(() => this.socket.destroy(), graceMs);
    this.destroyTimer.unref();
  }

  /** Tells the client why it is being closed (if it still reads), then closes it. */
  evict(error: ConnectionDroppedError): void {
    if (!this.gone) this.socket.write(encodeLine(errorResponse(null, error)));
    this.shutdown(EVICTION_GRACE_MS, true);
  }

  private get gone(): boolean {
    return this.socket.destroyed || !this.socket.writable;
  }

  private get held(): boolean {
    return this.socket.writableLength > this.limits.highWaterMark || this.inFlight >= this.limits.maxInFlight;
  }

  private onIdleTimeout(): void {
    if (this.idle) {
      this.evict(ConnectionDroppedError.idle(Math.round(this.limits.idleTimeoutMs / 1000)));
      return;
    }
    // Busy (a stream or a long request): re-arm and look again later.
    this.socket.setTimeout(this.limits.idleTimeoutMs);
  }

  private openStream(): () => void {
    if (this.streams >= this.limits.maxStreams) {
      throw TooManyStreamsError.perConnection(this.limits.maxStreams);
    }
    this.streams += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.streams -= 1;
      this.lastActive = Date.now();
    };
  }

  private drop(reason: string): void {
    if (this.ending) return;
    this.logger?.warn('control socket client dropped', { reason });
    this.shutdown(0, true);
    this.socket.destroy();
  }

  /** Starts queued requests while the client keeps up, at most a few per turn. */
  private pump(): void {
    let budget = REQUESTS_PER_TURN;
    while (this.queue.length > 0 && !this.held && !this.ending) {
      if (budget === 0) {
        this.schedulePump();
        break;
      }
      budget -= 1;
      this.start(this.queue.shift() ?? '');
    }
    this.updateFlow();
    this.endIfIdle();
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private start(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch (err) {
      this.send(encodeLine(errorResponse(null, new ParseError(messageOf(err)))));
      return;
    }
    this.inFlight += 1;
    this.answer(message).then(
      () => this.settled(),
      (err: unknown) => {
        this.logger?.warn('control socket request failed unexpectedly', { error: messageOf(err) });
        this.settled();
      },
    );
  }

  private settled(): void {
    this.inFlight -= 1;
    this.lastActive = Date.now();
    this.pump();
  }

  private async answer(message: unknown): Promise<void> {
    if (!Array.isArray(message)) {
      const response = await this.run(message);
      if (response !== null) this.send(`${this.encode(response)}\n`);
      return;
    }
    if (message.length === 0 || message.length > MAX_BATCH_LENGTH) {
      const why = message.length === 0 ? 'empty batch' : `batch of ${message.length} requests; at most ${MAX_BATCH_LENGTH}`;
      this.send(encodeLine(errorResponse(null, new InvalidRequestError(why))));
      return;
    }
    const responses = await Promise.all(message.map((item) => this.run(item)));
    const encoded = responses.filter((r): r is JsonRpcResponse => r !== null).map((r) => this.encode(r));
    if (encoded.length > 0) this.send(`[${encoded.join(',')}]\n`);
  }

  private async run(raw: unknown): Promise<JsonRpcResponse | null> {
    const request = checkRequest(raw, this.methods);
    if (!request.ok) return request.answer ? errorResponse(request.id, request.error) : null;
    try {
      const result: unknown = await request.spec.handler(request.params, this.ctx);
      return request.notification ? null : successResponse(request.id, result);
    } catch (err) {
      const error = this.toRpcError(err, request.method);
      return request.notification ? null : errorResponse(request.id, error);
    }
  }

  private toRpcError(err: unknown, method: string): RpcError {
    if (err instanceof RpcError) return err;
    const fields: Record<string, unknown> = { method, error: messageOf(err) };
    if (err instanceof Error && err.stack !== undefined) fields.stack = err.stack;
    this.logger?.warn('control socket method failed', fields);
    return new InternalError(messageOf(err));
  }

  private encode(response: JsonRpcResponse): string {
    try {
      return JSON.stringify(response);
    } catch (err) {
      this.logger?.warn('control socket answer is not JSON-encodable', { id: response.id, error: messageOf(err) });
      const error = InternalError.unencodable(messageOf(err));
      return JSON.stringify(errorResponse(response.id, error));
    }
  }

  private send(line: string): void {
    if (this.gone) return;
    this.socket.write(line, this.afterWrite);
    this.updateFlow();
  }

  private notify(method: string, params: unknown): boolean {
    if (this.controller.signal.aborted || this.gone) return false;
    if (this.socket.writableLength >= this.limits.highWaterMark) return false;
    this.socket.write(encodeLine({ jsonrpc: '2.0', method, params }), this.afterWrite);
    this.updateFlow();
    return true;
  }

  private sendEncoded(text: string): boolean {
    if (this.controller.signal.aborted || this.gone) return false;
    this.socket.write(text, this.afterWrite);
    this.updateFlow();
    return true;
  }

  private onDrain(cb: () => void): void {
    if (this.controller.signal.aborted) return;
    if (this.socket.writableLength < this.limits.highWaterMark) {
      setImmediate(() => {
        if (!this.controller.signal.aborted) this.callWaiter(cb);
      });
      return;
    }
    this.drainWaiters.push(cb);
  }

  /** Runs after each write reaches the kernel: the moment to wake drain waiters and to read again. */
  private onWritten(): void {
    if (this.drainWaiters.length > 0 && this.socket.writableLength < this.limits.highWaterMark) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const cb of waiters) this.callWaiter(cb);
    }
    this.pump();
  }

  private callWaiter(cb: () => void): void {
    try {
      cb();
    } catch (err) {
      this.logger?.warn('control socket drain callback failed', { error: messageOf(err) });
    }
  }

  /** Reads from the client only while its queue is empty and it keeps up with its answers. */
  private updateFlow(): void {
    if (this.ending || this.socket.destroyed) return;
    const hold = this.held || this.queue.length > 0;
    if (hold && !this.paused) {
      this.paused = true;
      this.socket.pause();
    } else if (!hold && this.paused) {
      this.paused = false;
      this.socket.resume();
    }
  }

  /** A client that closed its sending side gets its pending answers, then the end. */
  private endIfIdle(): void {
    if (!this.inputEnded || this.inFlight > 0 || this.queue.length > 0) return;
    if (!this.socket.writableEnded && !this.socket.destroyed) this.socket.end();
  }

  private onTooDeep(maxDepth: number): void {
    const error = new RequestTooDeepError(maxDepth);
    this.send(encodeLine(errorResponse(null, error)));
  }

  private onTooLarge(maxBytes: number): void {
    this.logger?.warn('control socket request too large; closing the connection', { maxBytes });
    const error = new RequestTooLargeError(maxBytes);
    this.send(encodeLine(errorResponse(null, error)));
    this.shutdown(EVICTION_GRACE_MS, false);
  }
}
