// Errors of the HTTP front: a request refused before any method ran, a stream asked of HTTP, a listener that cannot start or stop, a token file that cannot be used.
import { ErrorCode } from './codes.js';
import { KnownRpcError } from './errors.js';

/** Which check refused the request. */
export type HttpRefusal = 'method' | 'host' | 'origin' | 'preflight' | 'token' | 'content-type';

/** Refused before anything ran; `status` is the HTTP status it is answered with. */
export class HttpRefusedError extends KnownRpcError<typeof ErrorCode.HTTP_REFUSED> {
  override name = 'HttpRefusedError';
  private constructor(
    readonly status: number,
    readonly refusal: HttpRefusal,
    message: string,
  ) {
    super(ErrorCode.HTTP_REFUSED, message, { refusal });
  }

  static notPost(method: string): HttpRefusedError {
    return new HttpRefusedError(405, 'method', `HTTP ${method} is not served: send each JSON-RPC request as a POST`);
  }

  /** `expected`: the URL the client should use instead. */
  static host(host: string | null, expected: string): HttpRefusedError {
    const given = host === null ? 'no Host header' : `Host "${host}"`;
    return new HttpRefusedError(
      403,
      'host',
      `${given} does not name this listener: use ${expected} (other names are refused so that a DNS name pointed at this address cannot reach it)`,
    );
  }

  static origin(origin: string): HttpRefusedError {
    return new HttpRefusedError(
      403,
      'origin',
      `requests from web pages are refused: Origin "${origin}" is not allowed; to let that page call zinit-ts, add --http-allow-origin ${origin}`,
    );
  }

  /** A browser said the request comes from a page (Sec-Fetch-Site) but sent no Origin to check. */
  static pageWithoutOrigin(site: string): HttpRefusedError {
    return new HttpRefusedError(403, 'origin', `requests from web pages are refused: this one (Sec-Fetch-Site: ${site}) names no Origin that could be allowed`);
  }

  static preflight(origin: string | null): HttpRefusedError {
    const why = origin === null ? 'it names no Origin' : `Origin "${origin}" is not allowed (add --http-allow-origin ${origin} to allow it)`;
    return new HttpRefusedError(403, 'preflight', `CORS preflight refused: ${why}`);
  }

  /** `tokenFile`: where the operator finds the token. */
  static missingToken(tokenFile: string): HttpRefusedError {
    return new HttpRefusedError(401, 'token', `a bearer token is required: send "Authorization: Bearer <token>" with the token in ${tokenFile}`);
  }

  static wrongToken(tokenFile: string): HttpRefusedError {
    return new HttpRefusedError(401, 'token', `the bearer token is not the one in ${tokenFile}`);
  }

  static notJson(contentType: string | null): HttpRefusedError {
    const given = contentType === null ? 'none' : `"${contentType}"`;
    return new HttpRefusedError(415, 'content-type', `send the JSON-RPC request with "Content-Type: application/json" (got ${given})`);
  }
}

/** What jsonrpsee answers over HTTP for a subscription (INTERNAL_ERROR), with a message that says where streams work. */
export class SubscriptionOverHttpError extends KnownRpcError<typeof ErrorCode.INTERNAL_ERROR> {
  override name = 'SubscriptionOverHttpError';
  constructor(method: string | null) {
    super(
      ErrorCode.INTERNAL_ERROR,
      `${method ?? 'this method'} is a subscription, and HTTP carries one answer per request: subscribe over the control socket instead (zinit-ts log, zinit-ts run)`,
      { transport: 'http' },
    );
  }
}

/** `system_start_http_server` / `system_stop_http_server` failing; INTERNAL_ERROR with zinit's message prefixes, as zinit answers them. */
export class HttpServerError extends KnownRpcError<typeof ErrorCode.INTERNAL_ERROR> {
  override name = 'HttpServerError';
  private constructor(message: string) {
    super(ErrorCode.INTERNAL_ERROR, message);
  }

  static alreadyRunning(address: string): HttpServerError {
    return new HttpServerError(`starting http server: an HTTP/RPC server already runs at ${address}; stop it first with system_stop_http_server`);
  }

  static cannotListen(address: string, why: string): HttpServerError {
    return new HttpServerError(`starting http server: cannot listen on ${address}: ${why}`);
  }

  static token(err: TokenFileError): HttpServerError {
    return new HttpServerError(`starting http server: ${err.message}`);
  }

  static notRunning(): HttpServerError {
    return new HttpServerError('stopping http server: no HTTP/RPC server is running');
  }
}

/** What is wrong with a token file. */
export type TokenFileProblem = 'unreadable' | 'not-a-file' | 'open-mode' | 'owner' | 'too-large' | 'weak' | 'cannot-create';

/** The bearer token file cannot be used as it is; the message says how to fix it. */
export class TokenFileError extends Error {
  override name = 'TokenFileError';
  constructor(
    readonly problem: TokenFileProblem,
    message: string,
  ) {
    super(message);
  }
}
