// `proxy [ADDRESS]`: zinit's HTTP/RPC proxy, served by this process and forwarding each request to the control socket, behind the same checks as the daemon's.
import type { Command } from 'commander';
import { TokenFileError } from '../../errors/http-errors.js';
import { messageOf } from '../../errors/message-of.js';
import { RpcError } from '../../errors/errors.js';
import { CliError } from '../cli-error.js';
import { socketPath, withClient, type Globals } from '../connect.js';
import { addHttpFlags, httpOptionsOf, type HttpFlagValues } from '../http-flags.js';

/** zinit's default. */
export const DEFAULT_PROXY_ADDRESS = '127.0.0.1:8080';

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

const stderrLogger = {
  warn: (msg: string, fields?: Record<string, unknown>): void => void process.stderr.write(`zinit-ts proxy: ${msg}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`),
};

async function runProxy(text: string, socket: string, flags: HttpFlagValues): Promise<void> {
  const options = httpOptionsOf(flags);
  // Loaded only for this command: every other one stays a small client.
  const [{ resolveListenAddress }, { loadToken }, { HttpListener }, { forwardDispatch }] = await Promise.all([
    import('../../ipc/http/listen-address.js'),
    import('../../os/http-token-file.js'),
    import('../../ipc/http/http-listener.js'),
    import('../../ipc/http/dispatch-forward.js'),
  ]);
  let address;
  try {
    address = resolveListenAddress(text, options.allowRemote);
  } catch (err) {
    throw new CliError(err instanceof RpcError ? err.message : messageOf(err));
  }
  say(`Starting HTTP/RPC server on ${text}`);
  say(`Connecting to Zinit daemon at ${socket}`);
  // Fails now, with the usual message, when no daemon answers there.
  await withClient(socket, () => Promise.resolve());
  const token = await loadToken(options.tokenFile, socket).catch((err: unknown) => {
    throw err instanceof TokenFileError ? new CliError(err.message) : err;
  });
  const listener = await HttpListener.start({
    address,
    policy: { token: token.token, tokenFile: token.file, allowedOrigins: new Set(options.allowOrigins) },
    dispatch: forwardDispatch(socket),
    logger: stderrLogger,
  }).catch((err: unknown) => {
    throw new CliError(`cannot listen on ${text}: ${messageOf(err)}`);
  });
  say(`HTTP/RPC server started at ${address.port === 0 ? `${address.written}:${listener.port}` : text}`);
  say(`Bearer token in ${token.file}${token.created ? ' (created, mode 0600)' : ''}`);
  say('Press Ctrl+C to stop');
  await new Promise<void>((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await listener.close();
  say('HTTP/RPC server stopped');
}

export function registerProxy(program: Command, globals: Globals): void {
  const proxy = program
    .command('proxy')
    .description('serve the JSON-RPC API over HTTP from this process, forwarding to the control socket (token, Host and Origin checked)')
    .argument('[address]', `IP:PORT to listen on (default ${DEFAULT_PROXY_ADDRESS})`)
    .option('-a, --address <address>', 'the same, as zinit takes it');
  addHttpFlags(proxy).action(async (positional: string | undefined, o: { address?: string } & HttpFlagValues) => {
    if (positional !== undefined && o.address !== undefined && positional !== o.address) throw new CliError(`give the address once: ${positional} or --address ${o.address}`);
    await runProxy(positional ?? o.address ?? DEFAULT_PROXY_ADDRESS, socketPath(globals().socket), o);
  });
}
