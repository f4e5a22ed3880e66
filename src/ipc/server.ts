// The control socket server: JSON-RPC 2.0 over a Unix socket, one connection per client, every buffer and slot bounded.
import net from 'node:net';
import { DEFAULT_MAX_DEPTH, DEFAULT_MAX_MESSAGE_BYTES, encodeLine } from './framing.js';
import { ConnectionDroppedError, TooManyConnectionsError } from '../errors/errors.js';
import type { MethodTable } from './method-table.js';
import { errorResponse } from './wire.js';
import { Connection } from './server/connection.js';
import { EVICTION_GRACE_MS, type ConnectionLimits, type RpcLogger } from './server/connection-limits.js';
import { messageOf } from '../errors/message-of.js';
import { errnoOf } from '../errors/errno.js';
import { bindPrivately, checkSocketPath, inUseError, prepareSocketPath, removeIfOurs, type BoundFile } from './server/socket-file.js';

export type { RpcLogger } from './server/connection-limits.js';
export { MAX_BATCH_LENGTH } from './server/connection-limits.js';

export interface RpcServerOptions {
  readonly path: string;
  readonly methods: MethodTable;
  readonly logger?: RpcLogger;
  /** Largest request accepted; a larger one is answered REQUEST_TOO_LARGE and the connection closed. */
  readonly maxRequestBytes?: number;
  /** Deepest nesting of arrays and objects in a request; a deeper one is answered REQUEST_TOO_DEEP. */
  readonly maxDepth?: number;
  /** Clients served at once; past it the longest-idle client makes room, or the newcomer is told TOO_MANY_CONNECTIONS. */
  readonly maxConnections?: number;
  /** Unsent bytes to one client beyond which streams wait and its requests are no longer read. */
  readonly highWaterMark?: number;
  /** Requests of one client running at once beyond which its requests are no longer read. */
  readonly maxInFlight?: number;
  /** Subscriptions open at once on one connection. */
  readonly maxStreams?: number;
  /** A client with nothing running and no stream open that sends nothing for this long is closed. */
  readonly idleTimeoutMs?: number;
  /** How long close() lets connections end by themselves before destroying them. */
  readonly closeGraceMs?: number;
}

export const DEFAULT_MAX_CONNECTIONS = 512;
export const DEFAULT_HIGH_WATER_MARK = 64 * 1024;
export const DEFAULT_MAX_IN_FLIGHT = 256;
export const DEFAULT_MAX_STREAMS = 32;
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
export const DEFAULT_CLOSE_GRACE_MS = 200;
/** A connection idle at least this long may be closed to admit a new client when every slot is taken. */
const EVICTABLE_AFTER_MS = 1000;
const REJECT_WARN_INTERVAL_MS = 1000;

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(`RpcServer option \`${name}\` must be a positive integer, got ${value}`);
  }
  return value;
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
  private bound: BoundFile | undefined;
  private closing: Promise<void> | undefined;
  private rejectedSinceWarn = 0;
  private evictedSinceWarn = 0;
  private lastRejectWarn = 0;

  constructor(options: RpcServerOptions) {
    this.path = options.path;
    this.methods = options.methods;
    this.logger = options.logger;
    this.limits = {
      maxRequestBytes: positiveInteger('maxRequestBytes', options.maxRequestBytes, DEFAULT_MAX_MESSAGE_BYTES),
      maxDepth: positiveInteger('maxDepth', options.maxDepth, DEFAULT_MAX_DEPTH),
      highWaterMark: positiveInteger('highWaterMark', options.highWaterMark, DEFAULT_HIGH_WATER_MARK),
      maxInFlight: positiveInteger('maxInFlight', options.maxInFlight, DEFAULT_MAX_IN_FLIGHT),
      maxStreams: positiveInteger('maxStreams', options.maxStreams, DEFAULT_MAX_STREAMS),
      idleTimeoutMs: positiveInteger('idleTimeoutMs', options.idleTimeoutMs, DEFAULT_IDLE_TIMEOUT_MS),
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
    checkSocketPath(this.path);
    await prepareSocketPath(this.path);
    const server = net.createServer({ allowHalfOpen: true }, (socket) => this.accept(socket));
    let bound: BoundFile;
    try {
      bound = await bindPrivately(server, this.path);
    } catch (err) {
      const code = errnoOf(err);
      if (code === 'EADDRINUSE') throw inUseError(this.path);
      const why = code === 'EACCES' ? 'permission denied (EACCES)' : messageOf(err);
      throw new Error(`cannot listen on ${this.path}: ${why}`, { cause: err });
    }
    if (this.closing !== undefined) {
      // close() ran while this was binding and found nothing to close: undo the bind here.
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await removeIfOurs(bound);
      throw new Error(`the control socket ${this.path} was closed while it was starting`);
    }
    this.server = server;
    this.bound = bound;
    server.on('error', (err) => this.logger?.warn('control socket error', { path: this.path, error: err.message }));
  }

  /** Stops accepting, ends every connection (destroying any still open after a short grace) and removes the socket file if it is still ours. */
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
    const bound = this.bound;
    this.bound = undefined;
    if (bound !== undefined && !(await removeIfOurs(bound))) {
      this.logger?.warn('the control socket file was replaced while zinit-ts ran; leaving it in place', { path: this.path });
    }
  }

  private accept(socket: net.Socket): void {
    if (this.closing !== undefined) {
      socket.destroy();
      return;
    }
    if (this.connections.size >= this.maxConnections && !this.evictIdlest()) {
      this.turnAway(socket);
      return;
    }
    const connection = new Connection(socket, this.methods, this.limits, this.logger, (c) => this.connections.delete(c));
    this.connections.add(connection);
  }

  /** Frees a slot held by the client idle the longest, so clients that only hold slots cannot lock the operator out. */
  private evictIdlest(): boolean {
    const now = Date.now();
    let idlest: Connection | undefined;
    let longest = EVICTABLE_AFTER_MS - 1;
    for (const c of this.connections) {
      const idle = c.idleFor(now);
      if (idle > longest) {
        longest = idle;
        idlest = c;
      }
    }
    if (idlest === undefined) return false;
    // Forgotten now, not when its socket closes: the slot is the newcomer's.
    this.connections.delete(idlest);
    idlest.evict(ConnectionDroppedError.evicted(Math.round(longest / 1000)));
    this.evictedSinceWarn += 1;
    this.warnAtLimit();
    return true;
  }

  private turnAway(socket: net.Socket): void {
    socket.on('error', () => undefined);
    socket.resume();
    const error = new TooManyConnectionsError(this.maxConnections);
    socket.end(encodeLine(errorResponse(null, error)), () => socket.destroy());
    setTimeout(() => socket.destroy(), EVICTION_GRACE_MS).unref();
    this.rejectedSinceWarn += 1;
    this.warnAtLimit();
  }

  private warnAtLimit(): void {
    const now = Date.now();
    if (now - this.lastRejectWarn < REJECT_WARN_INTERVAL_MS) return;
    this.logger?.warn('control socket connection limit reached', {
      maxConnections: this.maxConnections,
      evictedIdle: this.evictedSinceWarn,
      rejected: this.rejectedSinceWarn,
    });
    this.lastRejectWarn = now;
    this.rejectedSinceWarn = 0;
    this.evictedSinceWarn = 0;
  }
}
