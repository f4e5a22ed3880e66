// IP literals as the HTTP checks compare them: one canonical text per address, and which ones are loopback.
import { isIP } from 'node:net';

const MAPPED_V4 = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;

/**
 * The canonical text of an IP literal (IPv6 compressed and lowercase, without brackets; an
 * IPv4-mapped IPv6 address as its IPv4 form), or null when `text` is not one. Names, zone ids
 * and IPv4 with leading zeros are not literals here.
 */
export function canonicalIp(text: string): string | null {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const family = isIP(bare);
  if (family === 4) return bare;
  if (family !== 6) return null;
  let compressed: string;
  try {
    compressed = new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  } catch {
    return null;
  }
  const mapped = MAPPED_V4.exec(compressed);
  if (mapped === null) return compressed;
  const hi = parseInt(mapped[1] ?? '0', 16);
  const lo = parseInt(mapped[2] ?? '0', 16);
  return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
}

/** 127.0.0.0/8 or ::1 (given in canonical form). */
export function isLoopbackIp(canonical: string): boolean {
  return canonical === '::1' || (isIP(canonical) === 4 && canonical.startsWith('127.'));
}

/** How an address is written in a URL or a Host header: IPv6 in brackets. */
export function urlHost(canonical: string): string {
  return canonical.includes(':') ? `[${canonical}]` : canonical;
}
