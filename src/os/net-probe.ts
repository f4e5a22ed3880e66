// `ready:` and `live:` probes of the http:// and tcp:// forms, run by the daemon itself.
// Loaded only when some service uses such a probe, so it depends on node:http and node:net alone.
//
// http: one GET with a socket of its own (no agent, no keep-alive); a 2xx or 3xx status passes
// (redirects are not followed, as the kubelet's probes do not follow them to another host).
// The status decides, so the socket is destroyed as soon as it is known: no body is ever read,
// however long the server goes on writing.
// tcp: passes once the connection is accepted, which is closed at once.
//
// Every run settles exactly once and never rejects; its timer, request and socket are all gone
// by the time it has settled.
import http from 'node:http';
import net from 'node:net';
import type { NetProbe, NetProbePort, ProbeOutcome, ProbeRun } from '../supervisor/ports.js';
import { serialLookup } from './serial-lookup.js';

const USER_AGENT = 'zinit-ts-probe';
/** Every probe's name lookups, one at a time (see serial-lookup.ts). */
const lookup = serialLookup();
/** setTimeout's largest delay; a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What an operator reads in `status` and the log, from a socket, DNS or HTTP parser error code. */
export function describeProbeError(code: string | undefined, host: string, kind: NetProbe['kind']): string {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return kind === 'http' ? 'connection closed before an answer' : 'connection reset';
    case 'EPIPE':
      return 'connection closed before the request was sent';
    case 'ENOTFOUND':
    case 'EAI_NONAME':
    case 'EAI_NODATA':
      return `cannot resolve ${host}`;
    case 'EAI_AGAIN':
      return `cannot resolve ${host} (temporary DNS failure)`;
    case 'EAI_FAIL':
      return `cannot resolve ${host} (DNS failure)`;
    case 'ELOOKUPQUEUEFULL':
      return `cannot resolve ${host} (too many name lookups waiting: is the resolver hung?)`;
    case 'EHOSTUNREACH':
    case 'EHOSTDOWN':
      return `host ${host} unreachable`;
    case 'ENETUNREACH':
    case 'ENETDOWN':
      return 'network unreachable';
    case 'ETIMEDOUT':
      return 'connection timed out';
    case 'EADDRNOTAVAIL':
      return 'address not available';
    case 'EACCES':
    case 'EPERM':
      return 'connection not permitted';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files';
    case 'ERR_SOCKET_BAD_PORT':
      return 'invalid port';
    case 'ERR_INVALID_IP_ADDRESS':
    case 'ERR_INVALID_ADDRESS_FAMILY':
      return `invalid address ${host}`;
    case 'ERR_UNESCAPED_CHARACTERS':
    case 'ERR_INVALID_CHAR':
    case 'ERR_INVALID_HTTP_TOKEN':
      return 'invalid request (check the probe URL)';
    case 'HPE_HEADER_OVERFLOW':
      return 'answer headers too large';
    case undefined:
      return 'connection failed';
    default:
      if (code.startsWith('HPE_')) return 'not an HTTP answer';
      return `connection failed (${code})`;
  }
}

/** The error code of what a socket or request emitted; for all attempts of one connect failing, the first one's. */
function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  if (err instanceof AggregateError) {
    for (const inner of err.errors) {
      const c = errorCode(inner);
      if (c !== undefined) return c;
    }
  }
  return undefined;
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/** `probe.host` as a connect() host: IPv6 literals are given without brackets; tolerate them anyway. */
function bareHost(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** The Host header: IPv6 literals in brackets, the port unless it is HTTP's own. */
function hostHeader(host: string, port: number): string {
  const h = net.isIPv6(host) ? `[${host}]` : host;
  return port === 80 ? h : `${h}:${port}`;
}

/** Starts one probe; see the file's header for what passes. */
export function runNetProbe(probe: NetProbe, timeoutMs: number): ProbeRun {
  let resolve: (outcome: ProbeOutcome) => void = () => undefined;
  const result = new Promise<ProbeOutcome>((r) => {
    resolve = r;
  });
  let settled = false;
  let timer: NodeJS.Timeout | null = null;
  /** Destroys whatever the run opened; replaced once it has opened something. */
  let release: () => void = () => undefined;

  const finish = (error: string | null): void => {
    if (settled) return;
    settled = true;
    if (timer !== null) clearTimeout(timer);
    timer = null;
    release();
    resolve({ ok: error === null, error });
  };

  const host = bareHost(probe.host);
  const limit = Number.isFinite(timeoutMs) ? Math.min(Math.max(0, timeoutMs), MAX_TIMER_MS) : MAX_TIMER_MS;
  // The event loop's clock is cached per turn, so a timer may fire a little before `limit` has
  // really passed: it is rearmed for the rest, and "no answer within N s" is never said early.
  const deadline = performance.now() + limit;
  const onTimeout = (): void => {
    const left = deadline - performance.now();
    if (left > 0) timer = setTimeout(onTimeout, Math.ceil(left));
    else finish(`no answer within ${seconds(limit)}`);
  };
  timer = setTimeout(onTimeout, limit);
  const fail = (err: unknown): void => finish(describeProbeError(errorCode(err), host, probe.kind));

  // Checked here: connect() throws on a bad port only after it has made a socket handle.
  if (!Number.isInteger(probe.port) || probe.port < 1 || probe.port > 65535) {
    finish(`invalid port ${probe.port}`);
    return { result, cancel: () => undefined };
  }

  try {
    if (probe.kind === 'tcp') {
      const socket = new net.Socket();
      release = () => socket.destroy();
      socket.on('error', fail);
      socket.once('connect', () => finish(null));
      socket.once('close', () => finish('connection closed'));
      socket.connect({ host, port: probe.port, autoSelectFamily: true, lookup });
    } else {
      // autoSelectFamily (tries every address of a name, IPv6 and IPv4) reaches net.connect through
      // the request's options; Node 20's http typings do not list it.
      const options: http.RequestOptions & Pick<net.TcpNetConnectOpts, 'autoSelectFamily'> = {
        host,
        port: probe.port,
        path: probe.path === '' ? '/' : probe.path,
        method: 'GET',
        agent: false,
        autoSelectFamily: true,
        lookup,
        headers: { Host: hostHeader(host, probe.port), 'User-Agent': USER_AGENT, Accept: '*/*', Connection: 'close' },
      };
      const req = http.request(options);
      let res: http.IncomingMessage | null = null;
      release = () => {
        res?.destroy();
        req.destroy();
      };
      req.on('error', fail);
      req.once('response', (answer) => {
        res = answer;
        // Errors of a response destroyed unread are expected; it must not throw them.
        answer.on('error', () => undefined);
        const status = answer.statusCode;
        if (status === undefined) finish('not an HTTP answer');
        else finish(status >= 200 && status <= 399 ? null : `HTTP ${status}`);
      });
      // A 101 to a request that asked for no upgrade: not a health answer.
      req.once('upgrade', (answer: http.IncomingMessage, socket: net.Socket) => {
        socket.on('error', () => undefined);
        socket.destroy();
        finish(`HTTP ${answer.statusCode ?? 101}`);
      });
      req.once('close', () => finish('connection closed before an answer'));
      req.end();
    }
  } catch (err) {
    // Arguments refused synchronously (a path with spaces, a header with control characters).
    fail(err);
  }

  return { result, cancel: () => finish('cancelled') };
}

export const netProbePort: NetProbePort = { run: runNetProbe };
