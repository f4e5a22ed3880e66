// The bearer token of a request, compared in constant time with the one expected.
import { createHash, timingSafeEqual } from 'node:crypto';

/** The token of `Authorization: Bearer <token>`, or null when there is none. */
export function bearerOf(authorization: string | undefined): string | null {
  const m = /^bearer +(\S+) *$/i.exec(authorization ?? '');
  return m?.[1] ?? null;
}

/**
 * Compares digests rather than the tokens, so the time taken tells nothing of the expected token,
 * not even its length (timingSafeEqual needs equal lengths).
 */
export function tokenMatches(given: string, expected: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
