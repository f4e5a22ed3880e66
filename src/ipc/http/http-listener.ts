// The HTTP/RPC listener: JSON-RPC over POST, each request through the guard before its body is read; connections, bodies and waits all bounded.
import http from 'node:http';
import type { Socket } from 'node:net';
import { messageOf } from '../../errors/message-of.js';
import { DEFAULT_MAX_DEPTH, DEFAULT_MAX_MESSAGE_BYTES, encodeLine } from '../framing.js';
import type { RpcLogger } from '../server/connection-limits.js';
import { errorResponse } from '../wire.js';
import type { Dispatch } from './dispatch.js';
import { urlHost } from './ip-address.js';
import type { HttpAddress } from './listen-address.js';
import { readJsonBody } from './read-body.js';
import { RefusalLog } from './refusal-log.js';
import { guardRequest, type GuardPolicy } from './request-guard.js';

export interface HttpLimits {
  /** Largest body read: the control socket's message cap. */
  readonly maxBodyBytes: number;
  readonly maxDepth: number;
  /** Connections at once; more are closed as they come. */
  readonly maxConnections: number;
  /** A client must have sent its headers within this time (slowloris)… */
  readonly headersTimeoutMs: number;
  /** …and its whole request (body included) within this one. The method's own run is not limited. */
  readonly requestTimeoutMs: number;
  /** An open connection with no request in progress is closed after this. */
  readonly keepAliveTimeoutMs: number;
  /** An answer the client has not taken within this time ends its connection. */
  readonly writeTimeoutMs: number;
  /** How long close() lets requests in progress finish. */
  readonly closeGraceMs: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  maxBodyBytes: DEFAULT_MAX_MESSAGE_BYTES,
  maxDepth: DEFAULT_MAX_DEPTH,
  maxConnections: 32,
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  writeTimeoutMs: 30_000,
  closeGraceMs: 1_000,
};

export interface HttpListenerOptions {
  readonly address: HttpAddress;
  readonly policy: GuardPolicy;
  readonly dispatch: Dispatch;
  readonly logger?: RpcLogger | undefined;
  readonly limits?: Partial<HttpLimits>;
}

/** A refused body is read (and dropped) up to this many times the body cap before the connection is cut. */
const DISCARD_FACTOR = 4;
const PLAIN_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

export class HttpListener {
  private readonly server: http.Server;
  private readonly limits: HttpLimits;
  private readonly refusals: RefusalLog;
  private closing: Promise<void> | undefined;
  private boundPort = 0;
  /** One per connection: re-armed by each answer, so a keep-alive client never piles timers up. */
  private readonly writeTimers = new WeakMap<Socket, NodeJS.Timeout>();

  private constructor(private readonly options: HttpListenerOptions) {
    this.limits = { ...DEFAULT_HTTP_LIMITS, ...options.limits };
    this.refusals = new RefusalLog(options.logger);
    // The expiry of headers and requests is checked on this interval: it bounds how late a slow client is cut off.
    this.server = http.createServer({ connectionsCheckingInterval: Math.min(1000, this.limits.headersTimeoutMs), maxHeaderSize: 16 * 1024 }, (req, res) => this.onRequest(req, res));
    this.server.headersTimeout = this.limits.headersTimeoutMs;
    this.server.requestTimeout = this.limits.requestTimeoutMs;
    this.server.keepAliveTimeout = this.limits.keepAliveTimeoutMs;
    this.server.maxConnections = this.limits.maxConnections;
    this.server.maxHeadersCount = 64;
    // No inactivity timeout while a method runs: a stop may rightly take its service's shutdown_timeout.
    this.server.timeout = 0;
    this.server.on('connection', (socket: Socket) => socket.once('close', () => clearTimeout(this.writeTimers.get(socket))));
  }

  /** Listens on the address; rejects with the system's error (EADDRINUSE, EACCES, EADDRNOTAVAIL…). */
  static async start(options: HttpListenerOptions): Promise<HttpListener> {
    const listener = new HttpListener(options);
    const { server } = listener;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.address.port, options.address.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => options.logger?.warn('HTTP/RPC listener error', { error: err.message }));
    const bound = server.address();
    listener.boundPort = typeof bound === 'object' && bound !== null ? bound.port : options.address.port;
    return listener;
  }

  /** The port bound (the kernel's choice when 0 was asked). */
  get port(): number {
    return this.boundPort;
  }

  /** Connections open now. */
  connectionCount(): Promise<number> {
    return new Promise((resolve) => this.server.getConnections((err, n) => resolve(err ? 0 : n)));
  }

  get url(): string {
    return `http://${urlHost(this.options.address.host)}:${this.port}/`;
  }

  /**
   * Stops accepting at once (the port is free when this returns), lets requests in progress
   * finish for a grace time, then ends every connection; resolves when all are gone.
   */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
      setTimeout(() => this.server.closeAllConnections(), this.limits.closeGraceMs).unref();
    });
    return this.closing;
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const local = { address: req.socket.localAddress ?? '', port: req.socket.localPort ?? 0 };
    const verdict = guardRequest({ method: req.method ?? '', headers: req.headers, local }, this.options.policy);
    if (verdict.kind === 'refuse') {
      this.refusals.note(verdict.error, { method: req.method, host: req.headers.host, origin: req.headers.origin, peer: req.socket.remoteAddress });
      this.reply(res, verdict.error.status, encodeLine(errorResponse(null, verdict.error)), verdict.headers);
      this.discardBody(req);
      return;
    }
    if (verdict.kind === 'preflight') {
      this.reply(res, 204, null, verdict.headers);
      return;
    }
    this.call(req, res, verdict.headers).catch((err: unknown) => {
      // The client went away while its body was read, or a bug: either way this request is over.
      if (!res.headersSent) this.options.logger?.warn('HTTP/RPC request failed', { error: messageOf(err) });
      res.destroy();
    });
  }

  private async call(req: http.IncomingMessage, res: http.ServerResponse, headers: Readonly<Record<string, string>>): Promise<void> {
    const controller = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) controller.abort(new Error('the HTTP client went away'));
    });
    const body = await readJsonBody(req, req.headers['content-length'], { maxBytes: this.limits.maxBodyBytes, maxDepth: this.limits.maxDepth });
    if (!body.ok) {
      this.reply(res, body.status, encodeLine(errorResponse(null, body.error)), headers);
      if (body.unread) this.discardBody(req);
      return;
    }
    const answer = await this.options.dispatch(body.message, controller.signal);
    this.reply(res, answer === null ? 204 : 200, answer, headers);
  }

  private reply(res: http.ServerResponse, status: number, body: string | null, headers: Readonly<Record<string, string>>): void {
    if (res.destroyed || res.headersSent) return;
    res.writeHead(status, {
      ...PLAIN_HEADERS,
      ...headers,
      ...(body === null ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }),
      ...(this.closing === undefined ? {} : { connection: 'close' }),
    });
    res.end(body ?? undefined);
    const socket = res.socket;
    if (socket === null) return;
    // A client that does not take its answer loses its connection.
    clearTimeout(this.writeTimers.get(socket));
    const timer = setTimeout(() => {
      if (socket.writableLength > 0) socket.destroy();
    }, this.limits.writeTimeoutMs);
    timer.unref();
    this.writeTimers.set(socket, timer);
  }

  /**
   * Reads and drops what is left of a refused request's body, so a client still sending it can
   * read the refusal instead of a reset; past a few times the body cap the connection is cut.
   * The request timeout bounds how long this can last.
   */
  private discardBody(req: http.IncomingMessage): void {
    let dropped = 0;
    const limit = DISCARD_FACTOR * this.limits.maxBodyBytes;
    req.on('data', (chunk: Buffer) => {
      dropped += chunk.length;
      if (dropped > limit) req.socket.destroy();
    });
    req.resume();
  }
}
