// Every check an HTTP request passes before its body is read, in order: Host, method, Origin, token, content type.
import { HttpRefusedError } from '../../errors/http-errors.js';
import { bearerOf, tokenMatches } from './bearer-token.js';
import { corsHeaders, preflightHeaders } from './cors-headers.js';
import { hostAllowed, listenerUrl, type LocalEnd } from './host-check.js';
import { checkOrigin } from './origin-check.js';

export interface GuardPolicy {
  /** Origins (as browsers write them) whose pages may call; empty: no page may. */
  readonly allowedOrigins: ReadonlySet<string>;
  readonly token: string;
  /** Where the token is, for the message that tells a client how to authenticate. */
  readonly tokenFile: string;
}

export type HttpHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface GuardedRequest {
  readonly method: string;
  readonly headers: HttpHeaders;
  readonly local: LocalEnd;
}

export type Verdict =
  /** Answer with the error's status and nothing else: no method runs. */
  | { readonly kind: 'refuse'; readonly error: HttpRefusedError; readonly headers: Readonly<Record<string, string>> }
  /** Answer the preflight with these headers (204). */
  | { readonly kind: 'preflight'; readonly headers: Readonly<Record<string, string>> }
  /** Read the body and run it; answer with these headers. */
  | { readonly kind: 'call'; readonly headers: Readonly<Record<string, string>> };

function header(headers: HttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return v === undefined || typeof v === 'string' ? v : v.join(', ');
}

function refuse(error: HttpRefusedError, headers: Readonly<Record<string, string>> = {}): Verdict {
  return { kind: 'refuse', error, headers };
}

function isJson(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

/** Decides on a request from its method and headers alone, before anything of its body is read. */
export function guardRequest(req: GuardedRequest, policy: GuardPolicy): Verdict {
  const host = header(req.headers, 'host');
  if (!hostAllowed(host, req.local)) return refuse(HttpRefusedError.host(host ?? null, listenerUrl(req.local)));
  const origin = header(req.headers, 'origin');
  if (req.method === 'OPTIONS') {
    if (origin === undefined || !policy.allowedOrigins.has(origin)) return refuse(HttpRefusedError.preflight(origin ?? null));
    return { kind: 'preflight', headers: preflightHeaders(origin, header(req.headers, 'access-control-request-private-network') === 'true') };
  }
  if (req.method !== 'POST') return refuse(HttpRefusedError.notPost(req.method), { allow: 'POST, OPTIONS' });
  const page = checkOrigin(origin, header(req.headers, 'sec-fetch-site'), policy.allowedOrigins);
  if (!page.ok) return refuse(page.error);
  // From here on an allowed page may read the refusal: it says what to fix.
  const cors = page.cors === null ? {} : corsHeaders(page.cors);
  const token = bearerOf(header(req.headers, 'authorization'));
  if (token === null) return refuse(HttpRefusedError.missingToken(policy.tokenFile), { ...cors, 'www-authenticate': 'Bearer realm="zinit-ts"' });
  if (!tokenMatches(token, policy.token)) return refuse(HttpRefusedError.wrongToken(policy.tokenFile), { ...cors, 'www-authenticate': 'Bearer realm="zinit-ts", error="invalid_token"' });
  if (!isJson(header(req.headers, 'content-type'))) return refuse(HttpRefusedError.notJson(header(req.headers, 'content-type') ?? null), cors);
  return { kind: 'call', headers: cors };
}
