// Where an HTTP listener may bind: IP:PORT (or localhost:PORT), loopback only unless remote clients are explicitly allowed.
import { InvalidParamsError } from '../../errors/errors.js';
import { canonicalIp, isLoopbackIp } from './ip-address.js';

export interface HttpAddress {
  /** What to bind: a canonical IP literal. */
  readonly host: string;
  /** 0 asks the kernel for a free port. */
  readonly port: number;
  /** The host part as it was written (`localhost`, `[::1]`, `127.0.0.1`), for messages. */
  readonly written: string;
  readonly loopback: boolean;
}

const FORM = /^(\[[^\]]*\]|[^:[\]]+):(\d{1,5})$/;

/** Parses IP:PORT, [IPv6]:PORT or localhost:PORT; throws INVALID_PARAMS saying how to write it. */
export function parseHttpAddress(text: string): HttpAddress {
  const m = FORM.exec(text.trim());
  const port = Number(m?.[2]);
  const written = m?.[1] ?? '';
  const host = written.toLowerCase() === 'localhost' ? '127.0.0.1' : canonicalIp(written);
  if (m === null || host === null || !(port >= 0 && port <= 65535)) {
    throw new InvalidParamsError(null, `"${text}" is not an address to listen on: write IP:PORT such as 127.0.0.1:8080, [::1]:8080 or localhost:8080`, { address: text });
  }
  return { host, port, written, loopback: isLoopbackIp(host) };
}

/** The address to bind, refused (INVALID_PARAMS) when it is not loopback and remote clients were not allowed. */
export function resolveListenAddress(text: string, allowRemote: boolean): HttpAddress {
  const address = parseHttpAddress(text);
  if (!address.loopback && !allowRemote) {
    throw new InvalidParamsError(
      null,
      `${text} is not a loopback address: the HTTP/RPC listener binds only 127.0.0.0/8, ::1 or localhost unless zinit-ts was started with --http-allow-remote (init, or proxy)`,
      { address: text },
    );
  }
  return address;
}
