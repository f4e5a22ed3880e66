// Opens the control socket for a CLI command and turns every failure into one clear line and an exit code.
import { TransportError } from '../ipc/client.js';
import { RpcError } from '../errors/errors.js';
import { ZinitClient } from '../ipc/zinit-client.js';
import { CliError } from './cli-error.js';
import { adviseOn, type Advice } from './rpc-advice.js';
import { messageOf } from '../errors/message-of.js';

export { socketPath } from '../ipc/socket-path.js';

/** The options before the command name (`-d` may also follow it). */
export interface GlobalOptions {
  readonly socket?: string;
  readonly debug?: boolean;
}

/** What every command reads of the global options. */
export type Globals = () => GlobalOptions;

/** Connect, run `fn`, close; a daemon that is not there is reported within a second. `advice` adds to the daemon's errors, by code. */
export async function withClient<T>(socket: string, fn: (c: ZinitClient) => Promise<T>, advice?: Advice): Promise<T> {
  let client: ZinitClient;
  try {
    client = await ZinitClient.connect({ socket, timeoutMs: 1000 });
  } catch (err) {
    throw new CliError(messageOf(err));
  }
  try {
    return await fn(client);
  } catch (err) {
    if (err instanceof RpcError) throw new CliError(adviseOn(err, advice));
    if (err instanceof TransportError) throw new CliError(err.message);
    throw err;
  } finally {
    // Every answer is in (or the command failed): nothing more is wanted from the daemon.
    await client.destroy();
  }
}
