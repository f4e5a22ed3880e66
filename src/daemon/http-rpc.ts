// The daemon's HTTP/RPC listener, started and stopped over the control socket: the same method table behind the token, Host and Origin checks.
import { errnoOf } from '../errors/errno.js';
import { HttpServerError, TokenFileError } from '../errors/http-errors.js';
import { messageOf } from '../errors/message-of.js';
import type { HttpControl } from '../ipc/handlers.js';
import type { HttpOptions } from '../ipc/http/http-options.js';
import type { HttpListener } from '../ipc/http/http-listener.js';
import { resolveListenAddress, type HttpAddress } from '../ipc/http/listen-address.js';
import type { MethodTable } from '../ipc/method-table.js';
import type { Logger } from '../log/logger-types.js';

interface Running {
  readonly listener: HttpListener;
  readonly address: HttpAddress;
  /** As the start answer and the log name it. */
  readonly shown: string;
}

function whyNot(err: unknown): string {
  switch (errnoOf(err)) {
    case 'EADDRINUSE':
      return 'the address is already in use';
    case 'EACCES':
      return 'permission denied (ports below 1024 need root)';
    case 'EADDRNOTAVAIL':
      return 'no network interface has this address';
    default:
      return messageOf(err);
  }
}

export class HttpRpc implements HttpControl {
  private methods: MethodTable | null = null;
  private running: Running | null = null;
  /** Starts and stops run one at a time, in the order asked. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly draining = new Set<Promise<void>>();

  constructor(
    private readonly options: HttpOptions,
    private readonly socketPath: string,
    private readonly logger: Logger,
  ) {}

  /** The table HTTP requests run through: the control socket's own. */
  serve(methods: MethodTable): void {
    this.methods = methods;
  }

  start(address: string): Promise<string> {
    return this.serialized(() => this.doStart(address));
  }

  stop(): Promise<void> {
    return this.serialized(() => {
      if (this.running === null) return Promise.reject(HttpServerError.notRunning());
      this.retire(this.running);
      this.running = null;
      return Promise.resolve();
    });
  }

  /** At shutdown: the listener closed (requests in progress given their grace) and every connection gone. */
  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    if (this.running !== null) this.retire(this.running);
    this.running = null;
    await Promise.all(this.draining);
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.catch(() => undefined).then(work);
    this.queue = next;
    return next;
  }

  private async doStart(text: string): Promise<string> {
    const address = resolveListenAddress(text, this.options.allowRemote);
    const current = this.running;
    if (current !== null && address.port !== 0 && current.address.host === address.host && current.address.port === address.port) {
      throw HttpServerError.alreadyRunning(current.shown);
    }
    if (this.methods === null) throw new Error('the HTTP listener has no method table yet');
    // Loaded on first use, as the metrics server is: an init that never serves HTTP keeps none of it.
    const [{ loadToken }, { HttpListener }, { localDispatch }] = await Promise.all([
      import('../os/http-token-file.js'),
      import('../ipc/http/http-listener.js'),
      import('../ipc/http/dispatch-local.js'),
    ]);
    const token = await loadToken(this.options.tokenFile, this.socketPath).catch((err: unknown) => {
      throw err instanceof TokenFileError ? HttpServerError.token(err) : err;
    });
    if (token.created) this.logger.info('created the HTTP bearer token file (mode 0600)', { file: token.file });
    let listener: HttpListener;
    try {
      listener = await HttpListener.start({
        address,
        policy: { token: token.token, tokenFile: token.file, allowedOrigins: new Set(this.options.allowOrigins) },
        dispatch: localDispatch(this.methods, this.logger),
        logger: this.logger,
      });
    } catch (err) {
      throw HttpServerError.cannotListen(text, whyNot(err));
    }
    const shown = address.port === 0 ? `${address.written}:${listener.port}` : text;
    // As zinit does: a start elsewhere replaces the listener that ran (once the new one is bound).
    if (current !== null) this.retire(current);
    this.running = { listener, address: { ...address, port: listener.port }, shown };
    this.logger.info('HTTP/RPC server started', {
      address: shown,
      tokenFile: token.file,
      allowedOrigins: this.options.allowOrigins.join(',') || 'none',
      ...(current === null ? {} : { replaced: current.shown }),
    });
    return `HTTP/RPC server started at ${shown}`;
  }

  /** Stops accepting at once; its connections end in the background. */
  private retire(running: Running): void {
    const drained = running.listener.close();
    this.draining.add(drained);
    void drained.then(() => this.draining.delete(drained));
    this.logger.info('HTTP/RPC server stopped', { address: running.shown });
  }
}
