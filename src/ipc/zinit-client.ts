// The typed client of the control socket: every method with its declared params and result. What the CLI uses and the package exports.
import { socketPath } from './socket-path.js';
import type { Item, MethodName, Params, ParamsOptional, Result, SubscriptionName } from './api.js';
import type { LogFormat, RunExit, RunOptions } from './api-results.js';
import { RpcClient, TransportError, type CallOptions, type ConnectOptions } from './client.js';

export { DEFAULT_SOCKET_PATH } from './socket-path.js';

export interface ZinitConnectOptions extends ConnectOptions {
  /** The control socket; `ZINIT_SOCKET` from the environment, else /var/run/zinit.sock. */
  readonly socket?: string;
}

/** A call's arguments after the method name: params (optional when the method requires none), then options. */
export type CallArgs<M extends MethodName> =
  ParamsOptional<M> extends true ? [params?: Params<M>, options?: CallOptions] : [params: Params<M>, options?: CallOptions];

export interface TypedSubscription<M extends SubscriptionName> {
  /** The subscription's id, as the server answered. */
  readonly id: Result<M>;
  /** Resolves when the server ends the stream or the connection. */
  readonly closed: Promise<void>;
}

export class ZinitClient {
  private constructor(readonly transport: RpcClient) {}

  /** Connects to the daemon; fails at once with a TransportError when none is running. */
  static async connect(options: ZinitConnectOptions = {}): Promise<ZinitClient> {
    const { socket, ...rest } = options;
    return new ZinitClient(await RpcClient.connect(socketPath(socket), rest));
  }

  get path(): string {
    return this.transport.path;
  }

  /** Resolves when the connection is gone, whoever ended it. */
  get closed(): Promise<void> {
    return this.transport.closed;
  }

  /** Calls a method; rejects with an RpcError (the server's code, message and data) or a TransportError. */
  call<M extends MethodName>(method: M, ...[params, options]: CallArgs<M>): Promise<Result<M>> {
    return this.transport.call(method, params, options) as Promise<Result<M>>;
  }

  /** Calls a subscription method; each item goes to `onItem`, in order, until the stream ends. */
  async subscribe<M extends SubscriptionName>(method: M, params: Params<M>, onItem: (item: Item<M>) => void): Promise<TypedSubscription<M>> {
    const sub = await this.transport.subscribe(method, params, onItem as (item: unknown) => void);
    return { id: sub.result as Result<M>, closed: sub.closed };
  }

  /**
   * Follows a service's log lines (every service's when `name` is null), the retained ones first with `history`:
   * time, service and stream before each line, or with `format: 'zinit'` the lines as zinit writes them (`[+] web: text`).
   */
  followLogs(
    name: string | null,
    onLine: (line: string) => void,
    options: { readonly history?: boolean; readonly format?: LogFormat } = {},
  ): Promise<TypedSubscription<'stream_subscribeLogs'>> {
    return this.subscribe('stream_subscribeLogs', [name, options.history === true, options.format ?? 'zinit-ts'], onLine);
  }

  /**
   * Runs a transient command under the manager and resolves with its exit once it is over; each
   * line of output goes to `onOutput`. Closing the connection meanwhile kills the command's tree.
   */
  async run(argv: readonly string[], options: RunOptions = {}, onOutput: (stream: 'stdout' | 'stderr', text: string) => void = () => undefined): Promise<RunExit> {
    let exit: RunExit | undefined;
    const sub = await this.subscribe('system_run', [argv, options], (item) => {
      if ('exit' in item) exit = item.exit;
      else if ('text' in item) onOutput(item.stream, item.text);
    });
    await sub.closed;
    if (exit === undefined) throw new TransportError('closed', `connection to zinit-ts at ${this.path} ended before the command finished`);
    return exit;
  }

  /** Ends the connection; pending calls reject, subscriptions close. */
  close(): Promise<void> {
    return this.transport.close();
  }

  /** Closes at once, without waiting for the daemon's end of the connection: for a client that has every answer it asked for. */
  destroy(): Promise<void> {
    return this.transport.destroy();
  }
}

/** Connects to zinit-ts's control socket: `const zinit = await connect(); await zinit.call('service_list')`. */
export function connect(options: ZinitConnectOptions = {}): Promise<ZinitClient> {
  return ZinitClient.connect(options);
}
