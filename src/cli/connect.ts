// Opens the control socket for a CLI command and turns every failure into one clear line and an exit code.
import { RpcClient, TransportError } from '../ipc/client.js';
import { RpcError } from '../ipc/protocol.js';
import { CliError } from './cli-error.js';

export const DEFAULT_SOCKET = '/var/run/zinit.sock';

export function socketPath(opt: string | undefined): string {
  return opt ?? process.env.ZINIT_SOCKET ?? DEFAULT_SOCKET;
}

/** Connect, run `fn`, close; a daemon that is not there is reported within a second. */
export async function withClient<T>(socket: string, fn: (c: RpcClient) => Promise<T>): Promise<T> {
  let client: RpcClient;
  try {
    client = await RpcClient.connect(socket, { timeoutMs: 1000 });
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err));
  }
  try {
    return await fn(client);
  } catch (err) {
    if (err instanceof RpcError) throw new CliError(err.message);
    if (err instanceof TransportError) throw new CliError(err.message);
    throw err;
  } finally {
    // Every answer is in (or the command failed): nothing more is wanted from the daemon.
    await client.destroy();
  }
}
