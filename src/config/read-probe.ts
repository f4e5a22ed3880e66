// Reads a health probe (`ready:`, `live:`): an http:// URL, a tcp:// address, or a command line split as `test` is.
import { plainValue, scalarText, type ErrorCollector, type YamlNode } from './collector.js';
import { describeValue } from './describe-value.js';
import { readCommand } from './read-scalars.js';
import type { Probe } from './types.js';

const SCHEME_RE = /^([a-z][a-z0-9+.-]*):\/\//i;
/** A lone word such as `localhost:8080`, `:8080` or `[::1]:8080`: an address written without tcp://. */
const BARE_ADDRESS_RE = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]*):(\d{1,5})$/i;
const HTTP_DEFAULT_PORT = 80;

/** The probe, or undefined after reporting why the value is not one. */
export function readProbe(c: ErrorCollector, key: string, node: YamlNode): Probe | undefined {
  const forms = `http://HOST:PORT/PATH, tcp://HOST:PORT or a command line, e.g. ${key}: http://127.0.0.1:8080/healthz`;
  const value = plainValue(node);
  if (typeof value === 'number') {
    const port = Number.isSafeInteger(value) && value >= 1 && value <= 65535 ? `; for a port write ${key}: tcp://127.0.0.1:${value}` : '';
    c.at(node, `${key} must be ${forms}, got ${describeValue(value)}${port}`);
    return undefined;
  }
  if (typeof value === 'boolean') {
    c.at(node, `${key} must be ${forms}, got ${describeValue(value)}; to run the command ${String(value)}, quote it: ${key}: "${String(value)}"`);
    return undefined;
  }
  const text = scalarText(node);
  if (text === null) {
    c.at(node, `${key} must be ${forms}, got ${describeValue(value)}`);
    return undefined;
  }
  const trimmed = text.trim();
  const scheme = SCHEME_RE.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === undefined) return readCommandProbe(c, key, node, forms);
  const blank = scheme === 'http' || scheme === 'tcp' ? /\s/.test(trimmed) : false;
  if (blank) {
    c.at(node, `${key}: ${scheme === 'http' ? 'an' : 'a'} ${scheme}:// probe is one URL without blanks, got ${JSON.stringify(trimmed)}; write a space in a path as %20, or use a command probe`);
    return undefined;
  }
  switch (scheme) {
    case 'http':
      return readHttp(c, key, node, trimmed);
    case 'tcp':
      return readTcp(c, key, node, trimmed);
    case 'https':
      c.at(node, `${key}: only http:// is probed, not https:// (${JSON.stringify(trimmed)}); probe a plain-http port, or use a command probe, e.g. ${key}: curl -fsS ${trimmed}`);
      return undefined;
    default:
      c.at(node, `${key}: ${scheme}:// is not a probe; write ${forms}`);
      return undefined;
  }
}

function readCommandProbe(c: ErrorCollector, key: string, node: YamlNode, forms: string): Probe | undefined {
  const cmd = readCommand(c, key, node);
  if (cmd === undefined) return undefined;
  if (cmd === null) {
    c.at(node, `${key} must not be empty; give ${forms}, or remove the key`);
    return undefined;
  }
  const address = cmd.argv.length === 1 ? BARE_ADDRESS_RE.exec(cmd.argv[0] as string) : null;
  if (address !== null) {
    const host = address[1] === '' ? '127.0.0.1' : (address[1] as string);
    c.at(node, `${key}: ${JSON.stringify(cmd.line)} reads as a command, yet it looks like an address; write ${key}: tcp://${host}:${address[2]}`);
    return undefined;
  }
  return { kind: 'command', line: cmd.line, argv: cmd.argv };
}

/** HOST and PORT of `scheme://HOST:PORT…` as written, and what follows them. */
interface Authority {
  readonly host: string;
  /** null when no `:PORT` is written. */
  readonly port: number | null;
  readonly rest: string;
}

function readAuthority(c: ErrorCollector, key: string, node: YamlNode, url: string, example: string): Authority | undefined {
  const afterScheme = url.slice(url.indexOf('://') + 3);
  const end = afterScheme.search(/[/?#]/);
  const authority = end === -1 ? afterScheme : afterScheme.slice(0, end);
  const rest = end === -1 ? '' : afterScheme.slice(end);
  if (authority.includes('@')) {
    c.at(node, `${key}: a probe sends no user or password, got ${JSON.stringify(authority.slice(0, authority.lastIndexOf('@') + 1))} in ${JSON.stringify(url)}; remove it and probe an endpoint that needs none, or use a command probe`);
    return undefined;
  }
  const bracketed = authority.startsWith('[');
  const close = bracketed ? authority.indexOf(']') : -1;
  const colon = bracketed ? (close === -1 ? -1 : authority.indexOf(':', close)) : authority.lastIndexOf(':');
  const host = colon === -1 ? authority : authority.slice(0, colon);
  const portText = colon === -1 ? null : authority.slice(colon + 1);
  if (host === '') {
    c.at(node, `${key} needs a host in ${JSON.stringify(url)}; write e.g. ${example}`);
    return undefined;
  }
  if (bracketed && close !== host.length - 1) {
    c.at(node, `${key}: ${JSON.stringify(host)} is not a valid host in ${JSON.stringify(url)}; write an IPv6 address in brackets, e.g. [::1], then :PORT`);
    return undefined;
  }
  if (!bracketed && host.includes(':')) {
    c.at(node, `${key}: an IPv6 address goes in brackets, got ${JSON.stringify(url)}; write e.g. ${key}: ${url.slice(0, url.indexOf('://') + 3)}[::1]:8080`);
    return undefined;
  }
  if (portText === null) return { host, port: null, rest };
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    c.at(node, `${key}: the port must be a whole number from 1 to 65535, got ${JSON.stringify(portText)} in ${JSON.stringify(url)}; write e.g. ${example}`);
    return undefined;
  }
  return { host, port, rest };
}

/** The host as a connection takes it: checked and normalised by the WHATWG URL parser, IPv6 without its brackets. */
function hostname(parsed: URL): string {
  const h = parsed.hostname;
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

function readHttp(c: ErrorCollector, key: string, node: YamlNode, url: string): Probe | undefined {
  const example = `${key}: http://127.0.0.1:8080/healthz`;
  const authority = readAuthority(c, key, node, url, example);
  if (authority === undefined) return undefined;
  // The fragment is never sent to the server: a probe written with one would not check what it seems to.
  const hash = url.indexOf('#');
  if (hash !== -1) {
    c.at(node, `${key}: the fragment ${JSON.stringify(url.slice(hash))} is never sent to the server; remove it from ${JSON.stringify(url)}`);
    return undefined;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    c.at(node, `${key} is not a valid http:// URL: ${JSON.stringify(url)}; write e.g. ${example}`);
    return undefined;
  }
  const port = authority.port ?? HTTP_DEFAULT_PORT;
  return { kind: 'http', url: parsed.href, host: hostname(parsed), port, path: `${parsed.pathname}${parsed.search}` };
}

function readTcp(c: ErrorCollector, key: string, node: YamlNode, url: string): Probe | undefined {
  const example = `${key}: tcp://127.0.0.1:5432`;
  const authority = readAuthority(c, key, node, url, example);
  if (authority === undefined) return undefined;
  if (authority.rest !== '') {
    c.at(node, `${key}: a tcp:// probe is a host and a port only, got ${JSON.stringify(authority.rest)} after them; remove it, or probe a path with http://`);
    return undefined;
  }
  if (authority.port === null) {
    c.at(node, `${key}: a tcp:// probe needs a port, got ${JSON.stringify(url)}; write e.g. ${key}: ${url}:5432`);
    return undefined;
  }
  let parsed: URL;
  try {
    parsed = new URL(`http://${authority.host}`);
  } catch {
    c.at(node, `${key}: ${JSON.stringify(authority.host)} is not a valid host in ${JSON.stringify(url)}; write e.g. ${example}`);
    return undefined;
  }
  return { kind: 'tcp', host: hostname(parsed), port: authority.port };
}
