// The Host header must name the listener itself (its address, or localhost on loopback): a DNS name pointed at it by a web page is refused.
import { canonicalIp, isLoopbackIp, urlHost } from './ip-address.js';

/** The end of the connection the request came in on. */
export interface LocalEnd {
  readonly address: string;
  readonly port: number;
}

const HOST_FORM = /^(\[[^\]]*\]|[^:[\]]*)(?::(\d{1,5}))?$/;

/** The URL a client should use to reach this listener. */
export function listenerUrl(local: LocalEnd): string {
  return `http://${urlHost(canonicalIp(local.address) ?? local.address)}:${local.port}/`;
}

/**
 * True when `host` (the Host header) names this listener: the same port, and either the address
 * the connection came in on or, on a loopback connection, `localhost`. Any other name could be
 * one an attacker's DNS points here (DNS rebinding), so it is refused even with a valid token.
 */
export function hostAllowed(host: string | undefined, local: LocalEnd): boolean {
  if (host === undefined) return false;
  const m = HOST_FORM.exec(host.trim().toLowerCase());
  if (m === null) return false;
  const port = m[2] === undefined ? 80 : Number(m[2]);
  if (port !== local.port) return false;
  const name = (m[1] ?? '').replace(/\.$/, '');
  const ours = canonicalIp(local.address);
  if (ours === null) return false;
  if (name === 'localhost') return isLoopbackIp(ours);
  return canonicalIp(name) === ours;
}
