// One control-socket client: framing, admission of its requests, flow control of its answers and streams, idleness.
import type net from 'node:net';
import { JsonFramer, encodeLine } from '../framing.js';
import { ConnectionDroppedError, ParseError, RequestTooDeepError, RequestTooLargeError } from '../../errors/errors.js';
import { messageOf } from '../../errors/message-of.js';
import type { MethodTable, RpcContext } from '../method-table.js';
import { errorResponse } from '../wire.js';
import { answerMessage, type Answering } from './answer.js';
import { EVICTION_GRACE_MS, type ConnectionLimits, type RpcLogger } from './connection-limits.js';
import { DrainWaiters } from './drain-waiters.js';
import { ReadGate } from './read-gate.js';
import { StreamSlots } from './stream-slots.js';

/** Requests started per turn of the event loop before the answers so far are weighed again. */
const REQUESTS_PER_TURN = 16;

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
  private readonly streams: StreamSlots;
  private inputEnded = false;
  private readonly reading: ReadGate;
  private ending = false;
  private pumpScheduled = false;
  private readonly drainWaiters: DrainWaiters;
  private readonly answering: Answering;
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
    this.streams = new StreamSlots(limits.maxStreams, () => (this.lastActive = Date.now()));
    this.reading = new ReadGate(socket);
    this.drainWaiters = new DrainWaiters(() => socketOf().writableLength, limits.highWaterMark, this.controller.signal, logger);
    this.ctx = {
      signal: this.controller.signal,
      notify: (method, params) => this.notify(method, params),
      onDrain: (cb) => this.drainWaiters.add(cb),
      get backlog() {
        return socketOf().writableLength;
      },
      highWaterMark: limits.highWaterMark,
      sendEncoded: (text) => this.sendEncoded(text),
      openStream: () => this.streams.take(),
      drop: (reason) => this.drop(reason),
    };
    this.answering = { methods, ctx: this.ctx, logger, send: (line) => this.send(line) };
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
      this.drainWaiters.clear();
      this.controller.abort(new Error('the client disconnected'));
      onGone(this);
      markClosed();
    });
  }

  /** Nothing running, no stream open, nothing queued: the connection only holds a slot. */
  get idle(): boolean {
    return this.inFlight === 0 && this.streams.count === 0 && this.queue.length === 0 && !this.ending;
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
    this.reading.open();
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
    answerMessage(message, this.answering).then(
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

  /** Runs after each write reaches the kernel: the moment to wake drain waiters and to read again. */
  private onWritten(): void {
    this.drainWaiters.wake();
    this.pump();
  }

  /** Reads from the client only while its queue is empty and it keeps up with its answers. */
  private updateFlow(): void {
    if (this.ending || this.socket.destroyed) return;
    this.reading.set(this.held || this.queue.length > 0);
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
