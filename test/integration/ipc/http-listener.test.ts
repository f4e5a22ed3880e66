// The HTTP listener's bounds on real sockets, with small limits and a stand-in dispatch: slow clients cut off, long calls not, connections capped, close() prompt.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { HttpListener, type HttpLimits } from '../../../src/ipc/http/http-listener.js';
import type { Dispatch } from '../../../src/ipc/http/dispatch.js';
import { parseHttpAddress } from '../../../src/ipc/http/listen-address.js';
import { waitFor } from '../../helpers/wait-for.js';
import { httpRequest } from '../../helpers/http-rpc.js';

const token = 'listener-test-token-0123456789';
let listener: HttpListener | null = null;
const sockets: net.Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await listener?.close();
  listener = null;
});

const echo: Dispatch = (message) => Promise.resolve(`${JSON.stringify({ jsonrpc: '2.0', id: 1, result: message })}\n`);

async function start(dispatch: Dispatch, limits: Partial<HttpLimits> = {}): Promise<HttpListener> {
  listener = await HttpListener.start({
    address: parseHttpAddress('127.0.0.1:0'),
    policy: { token, tokenFile: '/t', allowedOrigins: new Set() },
    dispatch,
    limits,
  });
  return listener;
}

function post(l: HttpListener, body = '{"jsonrpc":"2.0","id":1,"method":"m"}', agent?: http.Agent): Promise<{ status: number; text: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(l.url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(agent ? { agent } : { agent: false }) }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', reject);
    req.end(body);
  });
}

/** A raw connection; resolves with when it was closed by the server, in ms after `sent`. */
function raw(l: HttpListener, send: string): { socket: net.Socket; closedAfter: Promise<number>; received: () => string } {
  const socket = net.connect(l.port, '127.0.0.1');
  sockets.push(socket);
  let received = '';
  const t0 = Date.now();
  socket.on('data', (b: Buffer) => (received += b.toString()));
  socket.on('error', () => undefined);
  if (send !== '') socket.write(send);
  return { socket, closedAfter: new Promise((r) => socket.once('close', () => r(Date.now() - t0))), received: () => received };
}

test('a method that runs past the request timeout still answers: the timeouts bound the client, not the call', async () => {
  const l = await start(async (m) => {
    await new Promise((r) => setTimeout(r, 1200));
    return echo(m, new AbortController().signal);
  }, { headersTimeoutMs: 300, requestTimeoutMs: 400 });
  const r = await post(l);
  assert.equal(r.status, 200);
});

test('a client that sends its headers slowly, or nothing, or its body slowly, is cut off within the timeouts', async () => {
  const l = await start(echo, { headersTimeoutMs: 300, requestTimeoutMs: 600 });
  const silent = raw(l, '');
  const partial = raw(l, `POST / HTTP/1.1\r\nHost: 127.0.0.1:${l.port}\r\n`);
  const slowBody = raw(l, `POST / HTTP/1.1\r\nHost: 127.0.0.1:${l.port}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":`);
  for (const c of [silent, partial, slowBody]) {
    const after = await Promise.race([c.closedAfter, new Promise<number>((r) => setTimeout(() => r(Infinity), 5000))]);
    assert.ok(after < 3000, `closed after ${after} ms`);
  }
  assert.match(partial.received(), /^HTTP\/1\.1 408/);
});

test('connections past the cap are closed as they arrive; the ones admitted are served', async () => {
  const l = await start(echo, { maxConnections: 2, headersTimeoutMs: 10_000, requestTimeoutMs: 10_000 });
  const a = raw(l, '');
  const b = raw(l, '');
  await new Promise((r) => a.socket.once('connect', r));
  await new Promise((r) => b.socket.once('connect', r));
  // The server counts a connection once it has accepted it: wait until both are in.
  await waitFor(async () => (await l.connectionCount()) === 2, 3000, 'two connections accepted');
  const c = raw(l, '');
  const after = await Promise.race([c.closedAfter, new Promise<number>((r) => setTimeout(() => r(Infinity), 3000))]);
  assert.ok(after < 3000, 'the third is closed at once');
  a.socket.destroy();
  await waitFor(async () => (await l.connectionCount()) < 2, 3000, 'a slot freed');
  assert.equal((await post(l)).status, 200);
});

test('many requests on one keep-alive connection, refused or not, answer each in turn and leak no listener', async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(w.message);
  process.on('warning', onWarning);
  try {
    const l = await start(echo);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < 40; i++) assert.equal((await post(l, `{"jsonrpc":"2.0","id":${i},"method":"m"}`, agent)).status, 200);
    for (let i = 0; i < 5; i++) {
      const refused = await httpRequest(l.url, { headers: { 'content-type': 'application/json' }, body: '{"x":1}' });
      assert.equal(refused.status, 401);
    }
    agent.destroy();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(warnings, []);
  } finally {
    process.off('warning', onWarning);
  }
});

test('close() frees the port at once and lets a request in progress finish; a client that leaves aborts its call', async () => {
  let aborted = false;
  const entered: string[] = [];
  const l = await start(async (m, signal) => {
    entered.push((m as { method: string }).method);
    if ((m as { method?: string }).method === 'wait-for-abort') {
      await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
      aborted = true;
      return null;
    }
    await new Promise((r) => setTimeout(r, 500));
    return echo(m, signal);
  });
  const leaving = http.request(l.url, { method: 'POST', agent: false, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
  leaving.on('error', () => undefined);
  leaving.end('{"jsonrpc":"2.0","id":1,"method":"wait-for-abort"}');
  await waitFor(() => entered.includes('wait-for-abort'), 3000, 'the call to start');
  leaving.destroy();
  await waitFor(() => aborted, 3000, 'the call to see its client leave');

  const inFlight = post(l);
  await waitFor(() => entered.includes('m'), 3000, 'the call to start');
  const closing = l.close();
  await assert.rejects(httpRequest(l.url, { body: '{}' }), (err: NodeJS.ErrnoException) => err.code === 'ECONNREFUSED');
  const r = await inFlight;
  assert.equal(r.status, 200);
  assert.equal(r.headers.connection, 'close');
  await closing;
  listener = null;
});
