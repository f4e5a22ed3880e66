// The HTTP/RPC flags `init` and `proxy` share: remote clients, the bearer token file, the web pages allowed to call.
import { Option, type Command } from 'commander';
import type { HttpOptions } from '../ipc/http/http-options.js';
import { parseAllowedOrigin } from '../ipc/http/origin-check.js';
import { CliError } from './cli-error.js';

export interface HttpFlagValues {
  readonly httpTokenFile?: string;
  readonly httpAllowRemote?: boolean;
  readonly httpAllowOrigin: readonly string[];
}

/** Each flag as its own option, for a command whose options are chained. */
export const httpTokenFileOption = (): Option => new Option('--http-token-file <path>', 'bearer token of the HTTP/RPC listener, in a file of mode 0600 (default: SOCKET.http-token, created when missing)');
export const httpAllowRemoteOption = (): Option => new Option('--http-allow-remote', 'let the HTTP/RPC listener bind addresses other than loopback');
export const httpAllowOriginOption = (): Option =>
  new Option('--http-allow-origin <origin>', 'a web origin whose pages may call the HTTP/RPC listener (CORS); repeatable').argParser((v: string, all: string[] | undefined) => [...(all ?? []), v]).default([]);

export function addHttpFlags(command: Command): Command {
  return command.addOption(httpTokenFileOption()).addOption(httpAllowRemoteOption()).addOption(httpAllowOriginOption());
}

/** The flags as options; a malformed origin is a usage error (exit 1, as every usage error). */
export function httpOptionsOf(o: HttpFlagValues): HttpOptions {
  const allowOrigins = o.httpAllowOrigin.map((text) => {
    try {
      return parseAllowedOrigin(text);
    } catch (err) {
      throw new CliError((err as Error).message);
    }
  });
  return { allowRemote: o.httpAllowRemote === true, tokenFile: o.httpTokenFile ?? null, allowOrigins };
}
