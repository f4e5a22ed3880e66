// The HTTP/RPC flags `init` and `proxy` share: remote clients, the bearer token file, the web pages allowed to call.
import type { Command } from 'commander';
import type { HttpOptions } from '../ipc/http/http-options.js';
import { parseAllowedOrigin } from '../ipc/http/origin-check.js';
import { CliError } from './cli-error.js';

export interface HttpFlagValues {
  readonly httpTokenFile?: string;
  readonly httpAllowRemote?: boolean;
  readonly httpAllowOrigin: readonly string[];
}

export function addHttpFlags(command: Command): Command {
  return command
    .option('--http-token-file <path>', 'bearer token of the HTTP/RPC listener, in a file of mode 0600 (default: SOCKET.http-token, created when missing)')
    .option('--http-allow-remote', 'let the HTTP/RPC listener bind addresses other than loopback')
    .option('--http-allow-origin <origin>', 'a web origin whose pages may call the HTTP/RPC listener (CORS); repeatable', (v: string, all: string[]) => [...all, v], [] as string[]);
}

/** The flags as options; a malformed origin is a usage error (exit 2). */
export function httpOptionsOf(o: HttpFlagValues): HttpOptions {
  const allowOrigins = o.httpAllowOrigin.map((text) => {
    try {
      return parseAllowedOrigin(text);
    } catch (err) {
      throw new CliError((err as Error).message, 2);
    }
  });
  return { allowRemote: o.httpAllowRemote === true, tokenFile: o.httpTokenFile ?? null, allowOrigins };
}
