// Requests from web pages: refused unless their Origin is allow-listed, since a page's simple POST needs no preflight and would run before CORS could stop it.
import { HttpRefusedError } from '../../errors/http-errors.js';

export type OriginVerdict =
  /** `cors`: the allow-listed origin to answer CORS headers for, or null for a client that is not a page. */
  | { readonly ok: true; readonly cors: string | null }
  | { readonly ok: false; readonly error: HttpRefusedError };

/**
 * An origin as browsers send it (`http://host:port`, no path, default port dropped); throws a
 * message saying how to write it. `null` and wildcards are refused: they would allow any page.
 */
export function parseAllowedOrigin(text: string): string {
  const fix = `--http-allow-origin takes a web origin such as http://127.0.0.1:3000 or https://admin.example.com, got "${text}"`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(fix);
  }
  const plain = url.pathname === '/' && url.search === '' && url.hash === '' && url.username === '' && url.password === '';
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !plain || text.includes('*')) throw new Error(fix);
  return url.origin;
}

/**
 * Decides on the Origin of a request. No Origin: not a page (curl, a program), unless the browser
 * says it comes from one (Sec-Fetch-Site other than `none`). An Origin: allowed only if listed.
 */
export function checkOrigin(origin: string | undefined, fetchSite: string | undefined, allowed: ReadonlySet<string>): OriginVerdict {
  if (origin === undefined) {
    if (fetchSite !== undefined && fetchSite !== 'none') return { ok: false, error: HttpRefusedError.pageWithoutOrigin(fetchSite) };
    return { ok: true, cors: null };
  }
  if (allowed.has(origin)) return { ok: true, cors: origin };
  return { ok: false, error: HttpRefusedError.origin(origin) };
}
