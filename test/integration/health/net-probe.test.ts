// The http:// and tcp:// probes against real servers on the loopback: what passes, what fails and
// with which words, that the deadline holds, that cancel() is prompt, and that a settled probe
// leaves no socket or timer behind.
import { test, before, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import dns from 'node:dns/promises';
import http from 'node:http';
import net from 'node:net';
import { runNetProbe, describeProbeError } from '../../../src/os/net-probe.js';
import type { NetProbe, ProbeOutcome } from '../../../src/supervisor/ports.js';
import { waitFor } from '../../helpers/wait-for.js';

const T = { timeout: 10_000 };
/** Handles a probe or a test server could leave behind. */
const WATCHED = new Set(['TCPSocketWrap', 'TCPServerWrap', 'TCPWrap', 'TCPConnectWrap', 'GetAddrInfoReqWrap', 'Timeout']);

const servers: net.Server[] = [];
const serverSockets = new Set<net.Socket>();
let baseline: string[] = [];
let ipv6 = false;

function watched(): string[] {
  return process.getActiveResourcesInfo().filter((r) => WATCHED.has(r)).sort();
}

before(async () => {
  baseline = watched();
  ipv6 = await new Promise<boolean>((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(0, '::1', () => s.close(() => resolve(true)));
  });
});

// Every test closes its servers; then nothing of the probes' may be left.
afterEach(async () => {
  for (const s of serverSockets) s.destroy();
  serverSockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  await waitFor(() => JSON.stringify(watched()) === JSON.stringify(baseline), 2000, `no sockets or timers left (have ${watched().join(', ')})`);
});

async function listen(server: net.Server, host = '127.0.0.1'): Promise<number> {
  servers.push(server);
  server.on('connection', (s: net.Socket) => {
    serverSockets.add(s);
    s.on('error', () => undefined);
    s.once('close', () => serverSockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const addr = server.address();
  assert.ok(addr !== null && typeof addr === 'object');
  return addr.port;
}

/** A port nothing listens on: one the kernel just handed out and that was closed again. */
async function closedPort(host = '127.0.0.1'): Promise<number> {
  const s = net.createServer();
  const port = await new Promise<number>((resolve) => s.listen(0, host, () => resolve((s.address() as net.AddressInfo).port)));
  await new Promise((r) => s.close(r));
  return port;
}

/** A bare TCP server that reads and discards what it gets (so it sees the peer's close) and does `onConnection`. */
function rawServer(onConnection: (s: net.Socket) => void = () => undefined): net.Server {
  return net.createServer((s) => {
    s.resume();
    onConnection(s);
  });
}

function httpProbe(port: number, path = '/healthz', host = '127.0.0.1'): NetProbe {
  return { kind: 'http', url: `http://${host}:${port}${path}`, host, port, path };
}

function tcpProbe(port: number, host = '127.0.0.1'): NetProbe {
  return { kind: 'tcp', host, port };
}

async function timed(probe: NetProbe, timeoutMs: number): Promise<{ outcome: ProbeOutcome; ms: number }> {
  const t0 = performance.now();
  const outcome = await runNetProbe(probe, timeoutMs).result;
  return { outcome, ms: performance.now() - t0 };
}

function statusServer(status: number, headers: http.OutgoingHttpHeaders = {}): http.Server {
  return http.createServer((_req, res) => {
    res.writeHead(status, headers);
    res.end('body');
  });
}

test('HTTP 200 passes, and the request is a plain GET with its own connection', T, async () => {
  const seen: http.IncomingMessage[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req);
    res.end('ok');
  });
  const port = await listen(server);
  const { outcome } = await timed(httpProbe(port, '/healthz?full=1'), 2000);
  assert.deepEqual(outcome, { ok: true, error: null });
  const req = seen[0];
  assert.ok(req);
  assert.equal(req.method, 'GET');
  assert.equal(req.url, '/healthz?full=1');
  assert.equal(req.headers.host, `127.0.0.1:${port}`);
  assert.equal(req.headers['user-agent'], 'zinit-ts-probe');
  assert.equal(req.headers.connection, 'close');
});

test('a redirect passes without being followed', T, async () => {
  let hits = 0;
  const server = http.createServer((_req, res) => {
    hits++;
    res.writeHead(302, { Location: 'http://127.0.0.1:1/elsewhere' });
    res.end();
  });
  const port = await listen(server);
  assert.deepEqual((await timed(httpProbe(port), 2000)).outcome, { ok: true, error: null });
  assert.equal(hits, 1);
});

test('HTTP 500 and 404 fail with their status', T, async () => {
  const p500 = await listen(statusServer(500));
  const p404 = await listen(statusServer(404));
  const p400 = await listen(statusServer(400));
  assert.deepEqual((await timed(httpProbe(p500), 2000)).outcome, { ok: false, error: 'HTTP 500' });
  assert.deepEqual((await timed(httpProbe(p404), 2000)).outcome, { ok: false, error: 'HTTP 404' });
  assert.deepEqual((await timed(httpProbe(p400), 2000)).outcome, { ok: false, error: 'HTTP 400' });
});

test('a server that accepts and never answers fails at the deadline, not before', T, async () => {
  const port = await listen(rawServer());
  for (const timeoutMs of [300, 1000]) {
    const { outcome, ms } = await timed(httpProbe(port), timeoutMs);
    assert.deepEqual(outcome, { ok: false, error: `no answer within ${timeoutMs / 1000} s` });
    assert.ok(ms >= timeoutMs, `settled after ${ms} ms, before the ${timeoutMs} ms deadline`);
    assert.ok(ms < timeoutMs + 1000, `settled after ${ms} ms`);
  }
});

test('a server that sends headers and then stalls still passes on its status', T, async () => {
  const port = await listen(
    rawServer((s) => {
      s.write('HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n');
    }),
  );
  const { outcome, ms } = await timed(httpProbe(port), 2000);
  assert.deepEqual(outcome, { ok: true, error: null });
  assert.ok(ms < 1000, `${ms} ms`);
});

test('a closed port is refused at once', T, async () => {
  const port = await closedPort();
  const { outcome, ms } = await timed(httpProbe(port), 5000);
  assert.deepEqual(outcome, { ok: false, error: 'connection refused' });
  assert.ok(ms < 1000, `${ms} ms`);
});

test('an endless body is never read: the probe passes on the status and closes the connection', T, async () => {
  let written = 0;
  let closed = false;
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
    const pump = (): void => {
      while (!res.destroyed && !closed) {
        written += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
    };
    res.on('error', () => undefined);
    res.once('close', () => (closed = true));
    pump();
  });
  const port = await listen(server);
  const heapBefore = process.memoryUsage().heapUsed;
  const { outcome, ms } = await timed(httpProbe(port), 5000);
  assert.deepEqual(outcome, { ok: true, error: null });
  assert.ok(ms < 2000, `${ms} ms`);
  await waitFor(() => closed, 2000, 'the server to see the probe close its connection');
  // What the server got out before the close is what the socket buffers held, not the body.
  assert.ok(written < 64 * 1024 * 1024, `${written} bytes written`);
  assert.ok(process.memoryUsage().heapUsed - heapBefore < 32 * 1024 * 1024);
});

test('garbage, oversized headers, a silent close and an unasked-for upgrade are failures with a reason', T, async () => {
  const garbage = await listen(rawServer((s) => s.write('SSH-2.0-OpenSSH_9.2\r\n')));
  const huge = await listen(rawServer((s) => s.write(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(200_000)}\r\n\r\n`)));
  const hangup = await listen(rawServer((s) => s.end()));
  const reset = await listen(rawServer((s) => s.resetAndDestroy()));
  const upgrade = await listen(rawServer((s) => s.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n')));
  assert.deepEqual((await timed(httpProbe(garbage), 2000)).outcome, { ok: false, error: 'not an HTTP answer' });
  assert.deepEqual((await timed(httpProbe(huge), 2000)).outcome, { ok: false, error: 'answer headers too large' });
  assert.deepEqual((await timed(httpProbe(hangup), 2000)).outcome, { ok: false, error: 'connection closed before an answer' });
  assert.deepEqual((await timed(httpProbe(reset), 2000)).outcome, { ok: false, error: 'connection closed before an answer' });
  assert.deepEqual((await timed(httpProbe(upgrade), 2000)).outcome, { ok: false, error: 'HTTP 101' });
});

test('cancel() settles at once as cancelled and closes the connection', T, async () => {
  let accepted = 0;
  const port = await listen(rawServer(() => void accepted++));
  const run = runNetProbe(httpProbe(port), 10_000);
  await waitFor(() => accepted === 1 && serverSockets.size === 1, 2000, 'the probe to connect');
  const t0 = performance.now();
  run.cancel();
  assert.deepEqual(await run.result, { ok: false, error: 'cancelled' });
  assert.ok(performance.now() - t0 < 100);
  await waitFor(() => serverSockets.size === 0, 2000, 'the server to see the connection close');
  run.cancel(); // a second cancel is harmless
  assert.deepEqual(await run.result, { ok: false, error: 'cancelled' });
});

test('a result settles once: cancel() after a pass changes nothing', T, async () => {
  const port = await listen(statusServer(200));
  const run = runNetProbe(httpProbe(port), 2000);
  assert.deepEqual(await run.result, { ok: true, error: null });
  run.cancel();
  assert.deepEqual(await run.result, { ok: true, error: null });
});

test('tcp: an accepted connection passes and is closed at once; a closed port is refused', T, async () => {
  let closedByProbe = false;
  const port = await listen(
    rawServer((s) => {
      s.once('close', () => (closedByProbe = true));
    }),
  );
  const { outcome, ms } = await timed(tcpProbe(port), 2000);
  assert.deepEqual(outcome, { ok: true, error: null });
  assert.ok(ms < 1000, `${ms} ms`);
  await waitFor(() => closedByProbe, 2000, 'the probe to close its connection');

  const refused = await timed(tcpProbe(await closedPort()), 5000);
  assert.deepEqual(refused.outcome, { ok: false, error: 'connection refused' });
  assert.ok(refused.ms < 1000, `${refused.ms} ms`);
});

test('tcp: cancel() before the connection is made settles as cancelled and leaves nothing', T, async () => {
  const port = await listen(rawServer());
  const run = runNetProbe(tcpProbe(port), 10_000);
  run.cancel();
  assert.deepEqual(await run.result, { ok: false, error: 'cancelled' });
});

test('arguments that cannot be used fail without touching the network', T, async () => {
  assert.deepEqual((await timed(tcpProbe(70000), 1000)).outcome, { ok: false, error: 'invalid port 70000' });
  assert.deepEqual((await timed(httpProbe(0), 1000)).outcome, { ok: false, error: 'invalid port 0' });
  assert.deepEqual((await timed(httpProbe(8080, '/a path with spaces'), 1000)).outcome, {
    ok: false,
    error: 'invalid request (check the probe URL)',
  });
  const port = await listen(statusServer(200));
  // An empty path is asked for as "/".
  assert.deepEqual((await timed(httpProbe(port, ''), 1000)).outcome, { ok: true, error: null });
});

test('a name that does not resolve says so', T, async () => {
  // .invalid never resolves (RFC 2606); without a resolver at all the lookup fails the same way or times out.
  const { outcome } = await timed({ kind: 'tcp', host: 'no-such-host.invalid', port: 80 }, 5000);
  assert.equal(outcome.ok, false);
  assert.match(outcome.error ?? '', /^cannot resolve no-such-host\.invalid|^no answer within 5 s$/);
});

test('IPv6 literals are used without brackets, and the Host header gets them', T, async (t) => {
  if (!ipv6) return t.skip('no ::1 here');
  let host: string | undefined;
  const server = http.createServer((req, res) => {
    host = req.headers.host;
    res.end();
  });
  const port = await listen(server, '::1');
  assert.deepEqual((await timed(httpProbe(port, '/', '::1'), 2000)).outcome, { ok: true, error: null });
  assert.equal(host, `[::1]:${port}`);
  assert.deepEqual((await timed(tcpProbe(port, '::1'), 2000)).outcome, { ok: true, error: null });
  assert.deepEqual((await timed(tcpProbe(await closedPort('::1'), '::1'), 2000)).outcome, { ok: false, error: 'connection refused' });
});

test('localhost reaches a server on whichever loopback address it names', T, async (t) => {
  const addrs = await dns.lookup('localhost', { all: true });
  const first = addrs[0];
  assert.ok(first);
  const port = await listen(statusServer(200), first.address);
  assert.deepEqual((await timed(httpProbe(port, '/', 'localhost'), 2000)).outcome, { ok: true, error: null });
  // Where localhost names both families, a server on the other one alone is still found.
  const other = addrs.find((a) => a.family !== first.family);
  if (other === undefined) return t.skip(`localhost is only ${first.address} here`);
  const otherPort = await listen(rawServer(), other.address);
  assert.deepEqual((await timed(tcpProbe(otherPort, 'localhost'), 2000)).outcome, { ok: true, error: null });
});

test('error codes read as words; an unknown one is named', () => {
  assert.equal(describeProbeError('ECONNREFUSED', 'h', 'tcp'), 'connection refused');
  assert.equal(describeProbeError('ENOTFOUND', 'db.local', 'http'), 'cannot resolve db.local');
  assert.equal(describeProbeError('EAI_AGAIN', 'db.local', 'tcp'), 'cannot resolve db.local (temporary DNS failure)');
  assert.equal(describeProbeError('EHOSTUNREACH', '10.0.0.9', 'tcp'), 'host 10.0.0.9 unreachable');
  assert.equal(describeProbeError('ENETUNREACH', 'h', 'tcp'), 'network unreachable');
  assert.equal(describeProbeError('HPE_INVALID_CONSTANT', 'h', 'http'), 'not an HTTP answer');
  assert.equal(describeProbeError('HPE_HEADER_OVERFLOW', 'h', 'http'), 'answer headers too large');
  assert.equal(describeProbeError('EWHATEVER', 'h', 'tcp'), 'connection failed (EWHATEVER)');
  assert.equal(describeProbeError(undefined, 'h', 'tcp'), 'connection failed');
});
