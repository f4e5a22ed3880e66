// The control socket server: JSON-RPC 2.0 over a Unix socket, one connection per client, every buffer bounded.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { DEFAULT_MAX_LINE_BYTES, LineSplitter, encodeLine } from './framing.js';
import {
  ErrorCode,
  RpcError,
  checkRequest,
  errorResponse,
  successResponse,
  type JsonRpcResponse,
  type MethodTable,
  type RpcContext,
} from './protocol.js';

export interface RpcLogger {
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export interface RpcServerOptions {
  readonly path: string;
  readonly methods: MethodTable;
  readonly logger?: RpcLogger;
  /** Longest request line accepted; a longer one is answered REQUEST_TOO_LARGE and the connection closed. */
  readonly maxLineBytes?: number;
  /** Clients served at once; one more is told TOO_MANY_CONNECTIONS and closed. */
  readonly maxConnections?: number;
  /** Unsent bytes to one client beyond which notify() refuses and its requests are no longer read. */
  readonly highWaterMark?: number;
  /** Requests of one client running at once beyond which its requests are no longer read. */
  readonly maxInFlight?: number;
  /** How long close() lets connections end by themselves before destroying them. */
  readonly closeGraceMs?: number;
}

export const DEFAULT_MAX_CONNECTIONS = 512;
export const DEFAULT_HIGH_WATER_MARK = 1024 * 1024;
export const DEFAULT_MAX_IN_FLIGHT = 256;
export const DEFAULT_CLOSE_GRACE_MS = 200;
export const MAX_BATCH_LENGTH = 1000;
/** Requests started per turn of the event loop before the answers so far are weighed again. */
const LINES_PER_TURN = 16;
const PROBE_TIMEOUT_MS = 1000;
/** A client that was told to go away gets this long to read the reason before it is cut off. */
const EVICTION_GRACE_MS = 1000;
/** sun_path holds 108 bytes, the last one a NUL. */
const MAX_SOCKET_PATH_BYTES = 107;
const REJECT_WARN_INTERVAL_MS = 1000;

interface ConnectionLimits {
  readonly maxLineBytes: number;
  readonly highWaterMark: number;
  readonly maxInFlight: number;
}

function errnoOf(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(`RpcServer option \`${name}\` must be a positive integer, got ${value}`);
  }
  return value;
}

/**
 * One client. Requests are answered as they complete. Input is read only while the client
 * keeps up: lines wait in a queue while its unsent answers are over the high-water mark or
 * too many of its requests are running, and are started a few per turn of the event loop so
 * the answers of one turn are counted before the next lines start.
 */
class Connection {
  private readonly controller = new AbortController();
  private readonly splitter: LineSplitter;
  private readonly ctx: RpcContext;
  private readonly queue: string[] = [];
  private inFlight = 0;
  private inputEnded = false;
  private paused = false;
  private ending = false;
  private pumpScheduled = false;
  private drainWaiters: (() => void)[] = [];
  private destroyTimer: NodeJS.Timeout | undefined;
  private readonly afterWrite = (): void => this.onWritten();
  /** Resolves once the socket is closed and this connection forgotten. */
  readonly closed: Promise<void>;

  constructor(
    private readonly socket: net.Socket,
    private readonly methods: MethodTable,
    private readonly limits: ConnectionLimits,
    private readonly logger: RpcLogger | undefined,
    onGone: (connection: Connection) => void,
  ) {
    this.splitter = new LineSplitter(limits.maxLineBytes, {
      onLine: (line) => this.queue.push(line),
      onOverflow: (max) => this.onOverflow(max),
    });
    this.ctx = {
      signal: this.controller.signal,
      notify: (method, params) => this.notify(method, params),
      onDrain: (cb) => this.onDrain(cb),
    };
    socket.on('data', (chunk: Buffer) => {
      this.splitter.push(chunk);
      this.pump();
    });
    socket.on('end', () => {
      this.inputEnded = true;
      this.splitter.finish();
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
    let markClosed!: () => void;
    this.closed = new Promise((resolve) => {
      markClosed = resolve;
    });
    socket.once('close', () => {
      clearTimeout(this.destroyTimer);
      this.splitter.stop();
      this.queue.length = 0;
      this.drainWaiters = [];
      this.controller.abort(new Error('the client disconnected'));
      onGone(this);
      markClosed();
    });
  }

  /** Ends the connection; `abort` tells running handlers at once instead of when the socket closes. */
  shutdown(graceMs: number, abort: boolean): void {
    if (abort) this.controller.abort(new Error('the server is closing'));
    if (this.ending) return;
    this.ending = true;
    this.splitter.stop();
    this.queue.length = 0;
    // Keep reading (and dropping) so a client still writing does not stall before it sees the end.
    this.paused = false;
    this.socket.resume();
    this.socket.end();
    this.destroyTimer = setTimeout(() => this.socket.destroy(), graceMs);
    this.destroyTimer.unref();
  }

  private get gone(): boolean {
    return this.socket.destroyed || !this.socket.writable;
  }

  private get held(): boolean {
    return this.socket.writableLength > this.limits.highWaterMark || this.inFlight >= this.limits.maxInFlight;
  }

  /** Starts queued requests while the client keeps up, at most a few per turn. */
  private pump(): void {
    let budget = LINES_PER_TURN;
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

  private start(line: string): void {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch (err) {
      this.send(encodeLine(errorResponse(null, new RpcError(ErrorCode.PARSE_ERROR, `parse error: ${messageOf(err)}`))));
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
      this.send(encodeLine(errorResponse(null, new RpcError(ErrorCode.INVALID_REQUEST, `invalid request: ${why}`))));
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
    return new RpcError(ErrorCode.INTERNAL_ERROR, messageOf(err));
  }

  private encode(response: JsonRpcResponse): string {
    try {
      return JSON.stringify(response);
    } catch (err) {
      this.logger?.warn('control socket answer is not JSON-encodable', { id: response.id, error: messageOf(err) });
      const error = new RpcError(ErrorCode.INTERNAL_ERROR, `the answer could not be encoded as JSON: ${messageOf(err)}`);
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

  private onOverflow(maxLineBytes: number): void {
    this.logger?.warn('control socket request too large; closing the connection', { maxLineBytes });
    const error = new RpcError(
      ErrorCode.REQUEST_TOO_LARGE,
      `request too large: a line exceeded ${maxLineBytes} bytes; the connection is closed`,
      { maxLineBytes },
    );
    this.send(encodeLine(errorResponse(null, error)));
    this.shutdown(EVICTION_GRACE_MS, false);
  }
}

type ProbeAnswer = 'live' | 'stale' | 'gone';

function probeSocket(socketPath: string, timeoutMs: number): Promise<ProbeAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(socketPath);
    const done = (answer: ProbeAnswer | Error): void => {
      clearTimeout(timer);
      socket.destroy();
      if (answer instanceof Error) reject(answer);
      else resolve(answer);
    };
    // A server too busy to accept within the timeout is still a live server.
    const timer = setTimeout(() => done('live'), timeoutMs);
    socket.once('connect', () => done('live'));
    socket.once('error', (err) => {
      const code = errnoOf(err);
      if (code === 'ECONNREFUSED') done('stale');
      else if (code === 'ENOENT') done('gone');
      else done(new Error(`cannot check whether ${socketPath} is in use: ${err.message}`, { cause: err }));
    });
  });
}

function inUseError(socketPath: string): Error {
  return new Error(`another zinit-ts is already serving ${socketPath}; stop it or use -s PATH`);
}

function bindPrivately(server: net.Server, socketPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    // bind(2) creates the socket file under the umask: with 0177 it is 0600 from its first
    // instant, so nobody can connect before the chmod. listen() binds synchronously, so the
    // umask is back before any other code of this process runs.
    const previous = process.umask(0o177);
    try {
      server.listen(socketPath);
    } finally {
      process.umask(previous);
    }
  });
}

async function unlinkIfPresent(file: string): Promise<void> {
  try {
    await fs.promises.unlink(file);
  } catch (err) {
    if (errnoOf(err) !== 'ENOENT') throw err;
  }
}

export class RpcServer {
  readonly path: string;
  private readonly methods: MethodTable;
  private readonly logger: RpcLogger | undefined;
  private readonly limits: ConnectionLimits;
  private readonly maxConnections: number;
  private readonly closeGraceMs: number;
  private readonly connections = new Set<Connection>();
  private server: net.Server | undefined;
  private started = false;
  private bound = false;
  private closing: Promise<void> | undefined;
  private rejectedSinceWarn = 0;
  private lastRejectWarn = 0;

  constructor(options: RpcServerOptions) {
    this.path = options.path;
    this.methods = options.methods;
    this.logger = options.logger;
    this.limits = {
      maxLineBytes: positiveInteger('maxLineBytes', options.maxLineBytes, DEFAULT_MAX_LINE_BYTES),
      highWaterMark: positiveInteger('highWaterMark', options.highWaterMark, DEFAULT_HIGH_WATER_MARK),
      maxInFlight: positiveInteger('maxInFlight', options.maxInFlight, DEFAULT_MAX_IN_FLIGHT),
    };
    this.maxConnections = positiveInteger('maxConnections', options.maxConnections, DEFAULT_MAX_CONNECTIONS);
    this.closeGraceMs = positiveInteger('closeGraceMs', options.closeGraceMs, DEFAULT_CLOSE_GRACE_MS);
  }

  /** Clients connected now. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /**
   * Binds the socket, mode 0600, creating its directory if needed. A socket file left by a
   * dead daemon is replaced; one a live daemon answers on is left alone and this fails.
   */
  async listen(): Promise<void> {
    if (this.started) throw new Error('RpcServer.listen() may be called only once');
    if (this.closing !== undefined) throw new Error('RpcServer.listen() called after close()');
    this.started = true;
    const bytes = Buffer.byteLength(this.path);
    if (bytes > MAX_SOCKET_PATH_BYTES) {
      throw new Error(
        `socket path ${this.path} is too long (${bytes} bytes; a Unix socket path holds at most ${MAX_SOCKET_PATH_BYTES}); use a shorter -s PATH`,
      );
    }
    await fs.promises.mkdir(path.dirname(this.path), { recursive: true });
    await this.clearStale();
    const server = net.createServer({ allowHalfOpen: true }, (socket) => this.accept(socket));
    try {
      await bindPrivately(server, this.path);
    } catch (err) {
      const code = errnoOf(err);
      if (code === 'EADDRINUSE') throw inUseError(this.path);
      const why = code === 'EACCES' ? 'permission denied (EACCES)' : messageOf(err);
      throw new Error(`cannot listen on ${this.path}: ${why}`, { cause: err });
    }
    if (this.closing !== undefined) {
      // close() ran while this was binding and found nothing to close: undo the bind here.
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await unlinkIfPresent(this.path);
      throw new Error(`the control socket ${this.path} was closed while it was starting`);
    }
    this.server = server;
    this.bound = true;
    server.on('error', (err) => this.logger?.warn('control socket error', { path: this.path, error: err.message }));
    await fs.promises.chmod(this.path, 0o600);
  }

  /** Stops accepting, ends every connection (destroying any still open after a short grace) and removes the socket file. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const connections = [...this.connections];
    for (const connection of connections) connection.shutdown(this.closeGraceMs, true);
    await Promise.all([closed, ...connections.map((c) => c.closed)]);
    if (this.bound) {
      this.bound = false;
      await unlinkIfPresent(this.path);
    }
  }

  private async clearStale(): Promise<void> {
    let stat: fs.Stats;
    try {
      stat = await fs.promises.lstat(this.path);
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return;
      throw new Error(`cannot inspect ${this.path}: ${messageOf(err)}`, { cause: err });
    }
    if (!stat.isSocket()) throw new Error(`${this.path} exists and is not a socket; remove it or use -s PATH`);
    const answer = await probeSocket(this.path, PROBE_TIMEOUT_MS);
    if (answer === 'live') throw inUseError(this.path);
    if (answer === 'stale') await unlinkIfPresent(this.path);
  }

  private accept(socket: net.Socket): void {
    if (this.closing !== undefined) {
      socket.destroy();
      return;
    }
    if (this.connections.size >= this.maxConnections) {
      this.turnAway(socket);
      return;
    }
    const connection = new Connection(socket, this.methods, this.limits, this.logger, (c) => this.connections.delete(c));
    this.connections.add(connection);
  }

  private turnAway(socket: net.Socket): void {
    socket.on('error', () => undefined);
    socket.resume();
    const error = new RpcError(
      ErrorCode.TOO_MANY_CONNECTIONS,
      `too many connections: zinit-ts serves at most ${this.maxConnections} clients at once; try again later`,
    );
    socket.end(encodeLine(errorResponse(null, error)), () => socket.destroy());
    setTimeout(() => socket.destroy(), EVICTION_GRACE_MS).unref();
    this.rejectedSinceWarn += 1;
    const now = Date.now();
    if (now - this.lastRejectWarn >= REJECT_WARN_INTERVAL_MS) {
      this.logger?.warn('control socket connection limit reached; turning clients away', {
        maxConnections: this.maxConnections,
        rejected: this.rejectedSinceWarn,
      });
      this.lastRejectWarn = now;
      this.rejectedSinceWarn = 0;
    }
  }
}
