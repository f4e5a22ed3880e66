// A real Chromium on a page from another loopback origin calls the daemon's HTTP listener: nothing it sends runs, unless the operator allowed that origin and the page holds the token.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { startDaemon, statusOf, tempDir, waitState, writeServices, type DaemonHandle } from '../../helpers/daemon.js';
import { browser, requireChromium, textOf, type Browser } from '../../helpers/chromium.js';
import { curl, socketCall, startHttp, tokenIn } from '../../helpers/http-rpc.js';
import { waitFor } from '../../helpers/wait-for.js';

let daemon: DaemonHandle | null = null;
let chromium: Browser | null = null;
let pages: http.Server | null = null;

afterEach(async () => {
  chromium?.kill();
  chromium = null;
  if (pages !== null) {
    pages.closeAllConnections();
    await new Promise((r) => pages?.close(r));
  }
  pages = null;
  await daemon?.cleanup();
  daemon = null;
});

/**
 * What the attacking page runs: simple text/plain POSTs (no preflight: a browser sends them as
 * they are), then a JSON POST with a bearer token (preflighted). Each outcome goes into the DOM.
 */
const ATTACK = `
const q = new URLSearchParams(location.search);
const target = q.get('target');
const token = q.get('token') || 'a-guessed-token-0123456789';
const call = (method, params) => JSON.stringify({ jsonrpc: '2.0', id: 1, method, params });
const simple = (body) => ({ method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body });
const results = {};
async function attempt(name, init) {
  try {
    const r = await fetch(target, init);
    results[name] = { type: r.type, status: r.status, body: r.type === 'opaque' ? null : await r.text() };
  } catch (e) {
    results[name] = { error: String(e) };
  }
}
(async () => {
  await attempt('create', simple(call('service_create', ['evil', { exec: 'sh -c "touch ' + q.get('mark') + '-create"' }])));
  await attempt('monitor', simple(call('service_monitor', ['late'])));
  await attempt('stop', simple(call('service_stop', ['victim'])));
  await attempt('kill', simple(JSON.stringify([{ jsonrpc: '2.0', id: 2, method: 'service_kill', params: ['victim', 'SIGKILL'] }])));
  await attempt('json', { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token }, body: call('service_monitor', ['late']) });
  document.getElementById('out').textContent = JSON.stringify(results);
})();
`;

/** Serves the attacking page from its own loopback origin. */
async function servePage(): Promise<{ origin: string }> {
  pages = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><html><body><pre id="out">pending</pre><script>${ATTACK}</script></body></html>`);
  });
  await new Promise<void>((r) => pages?.listen(0, '127.0.0.1', r));
  const addr = pages.address();
  assert.ok(addr !== null && typeof addr === 'object');
  return { origin: `http://127.0.0.1:${addr.port}` };
}

interface Outcome {
  readonly type?: string;
  readonly status?: number;
  readonly body?: string | null;
  readonly error?: string;
}

async function runPage(origin: string, query: Record<string, string>): Promise<Record<string, Outcome>> {
  chromium = browser();
  const dom = await chromium.dumpDom(`${origin}/?${new URLSearchParams(query).toString()}`);
  const text = textOf(dom, 'out');
  assert.ok(text !== null && text !== 'pending', `the page reported nothing:\n${dom.slice(0, 2000)}`);
  return JSON.parse(text) as Record<string, Outcome>;
}

async function setUp(extraArgs: (origin: string) => string[]): Promise<{ d: DaemonHandle; origin: string; mark: string; pid: number; url: string }> {
  requireChromium();
  const { origin } = await servePage();
  const dir = tempDir();
  const mark = path.join(dir, 'ran');
  const d = await startDaemon({ victim: 'exec: sleep 1000\n' }, extraArgs(origin), { dir });
  daemon = d;
  // Not loaded at boot: only service_monitor would start it, and it leaves a file when it runs.
  writeServices(d.configDir, { late: `exec: sh -c 'touch ${mark}; exec sleep 1000'\n` });
  const pid = (await waitState(d, 'victim', 'Running')).pid;
  const { url } = await startHttp(d.socket);
  return { d, origin, mark, pid, url };
}

test('a page from another origin runs nothing: its simple POSTs are refused by Origin, its JSON POST dies at the preflight', async () => {
  const { d, origin, mark, pid, url } = await setUp(() => []);
  const results = await runPage(origin, { target: url, mark });

  // The simple requests were sent and answered (opaquely: no CORS header lets the page read the refusal).
  for (const name of ['create', 'monitor', 'stop', 'kill']) assert.deepEqual(results[name], { type: 'opaque', status: 0, body: null }, name);
  assert.match(results.json?.error ?? '', /TypeError/, 'the preflight was refused, so the JSON POST was never sent');
  // They reached the listener, which refused them by their Origin.
  await waitFor(() => d.output().split('\n').find((l) => l.includes('HTTP/RPC request refused')), 5000, 'the refusal in the log');
  const refusal = d.output().split('\n').find((l) => l.includes('HTTP/RPC request refused')) ?? '';
  assert.ok(refusal.includes(`origin=${origin}`) && refusal.includes('status=403') && refusal.includes('is not allowed'), refusal);

  const victim = await statusOf(d, 'victim');
  assert.deepEqual([victim.state, victim.target, victim.pid], ['Running', 'Up', pid], 'the service was neither stopped nor killed');
  const list = (await socketCall(d.socket, 'service_list')).result as Record<string, string>;
  assert.deepEqual(Object.keys(list), ['victim'], 'late was not monitored');
  assert.equal(fs.existsSync(mark), false);
  assert.equal(fs.existsSync(`${mark}-create`), false);
  assert.equal(fs.existsSync(path.join(d.configDir, 'evil.yaml')), false, 'no service file was created');

  // curl with the token calls what the page could not.
  const token = tokenIn(`${d.socket}.http-token`);
  const r = await curl(['-X', 'POST', '-H', 'content-type: application/json', '-H', `authorization: Bearer ${token}`, '--data', '{"jsonrpc":"2.0","id":1,"method":"service_monitor","params":["late"]}', url]);
  assert.deepEqual(JSON.parse(r.stdout), { jsonrpc: '2.0', id: 1, result: null });
  await waitFor(() => fs.existsSync(mark), 10_000, 'late to run once monitored with the token');
});

test('negative control: with its origin allow-listed and the token in hand, the same page does run its JSON call', async () => {
  const { d, origin, mark, pid, url } = await setUp((o) => ['--http-allow-origin', o]);
  const token = tokenIn(`${d.socket}.http-token`);
  const results = await runPage(origin, { target: url, mark, token });

  assert.equal(results.json?.status, 200, JSON.stringify(results.json));
  assert.deepEqual(JSON.parse(results.json?.body ?? ''), { jsonrpc: '2.0', id: 1, result: null });
  await waitFor(() => fs.existsSync(mark), 10_000, 'late to run, monitored by the page');
  // The simple requests still carried no token: refused, the service untouched.
  for (const name of ['stop', 'kill']) assert.equal(results[name]?.type, 'opaque', name);
  const victim = await statusOf(d, 'victim');
  assert.deepEqual([victim.state, victim.pid], ['Running', pid]);
});
