// The daemon's HTTP/RPC listener with real clients (curl, Node's http): token, Host, loopback, start and stop, token files, origins, streams, body cap.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ErrorCode } from '../../../src/errors/codes.js';
import { runCli, startDaemon, statusOf, tempDir, waitState, type DaemonHandle } from '../../helpers/daemon.js';
import { isAlive } from '../../helpers/proc.js';
import { curl, httpRequest, rpcOverHttp, socketCall, startHttp, tokenIn } from '../../helpers/http-rpc.js';

let daemon: DaemonHandle | null = null;
afterEach(async () => {
  await daemon?.cleanup();
  daemon = null;
});

const SERVICES = { victim: 'exec: sleep 1000\n' };

async function runningVictim(d: DaemonHandle): Promise<number> {
  const s = await waitState(d, 'victim', 'Running');
  assert.ok(s.pid > 0);
  return s.pid;
}

/** The service still runs, with the same process: nothing reached it. */
async function untouched(d: DaemonHandle, pid: number): Promise<void> {
  const s = await statusOf(d, 'victim');
  assert.deepEqual([s.state, s.target, s.pid], ['Running', 'Up', pid]);
}

const STOP_VICTIM = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'service_stop', params: ['victim'] });

test('without the token nothing runs (401); with it curl lists the services and can stop one', async () => {
  daemon = await startDaemon(SERVICES);
  const pid = await runningVictim(daemon);
  const http = await startHttp(daemon.socket);
  assert.match(http.answer, /^HTTP\/RPC server started at 127\.0\.0\.1:\d+$/);
  const tokenFile = `${daemon.socket}.http-token`;
  assert.equal(fs.statSync(tokenFile).mode & 0o777, 0o600, 'the token file the daemon created is 0600');
  const token = tokenIn(tokenFile);
  assert.ok(token.length >= 32);
  assert.ok(daemon.output().includes(tokenFile), 'the log names the token file');
  assert.ok(!daemon.output().includes(token), 'the log never shows the token');

  const code = ['-w', 'HTTP-STATUS:%{http_code}'];
  const statusOfCurl = (stdout: string): { status: string; body: string } => ({ status: stdout.slice(stdout.lastIndexOf('HTTP-STATUS:') + 12), body: stdout.slice(0, stdout.lastIndexOf('HTTP-STATUS:')) });
  const none = statusOfCurl((await curl(['-X', 'POST', '-H', 'content-type: application/json', '--data', STOP_VICTIM, ...code, http.url])).stdout);
  assert.equal(none.status, '401');
  assert.equal((JSON.parse(none.body) as { error: { code: number } }).error.code, ErrorCode.HTTP_REFUSED);
  const wrong = await curl(['-X', 'POST', '-H', 'content-type: application/json', '-H', `authorization: Bearer ${token.slice(1)}x`, '--data', STOP_VICTIM, ...code, http.url]);
  assert.equal(statusOfCurl(wrong.stdout).status, '401');
  const plain = await curl(['-X', 'POST', '-H', 'content-type: text/plain', '-H', `authorization: Bearer ${token}`, '--data', STOP_VICTIM, ...code, http.url]);
  assert.equal(statusOfCurl(plain.stdout).status, '415');
  await untouched(daemon, pid);

  const list = await curl(['-X', 'POST', '-H', 'content-type: application/json', '-H', `authorization: Bearer ${token}`, '--data', '{"jsonrpc":"2.0","id":"a","method":"service_list"}', http.url]);
  assert.deepEqual(JSON.parse(list.stdout), { jsonrpc: '2.0', id: 'a', result: { victim: 'Running' } });
  // The negative control: the same stop with the token does stop it.
  const stop = await curl(['-X', 'POST', '-H', 'content-type: application/json', '-H', `authorization: Bearer ${token}`, '--data', STOP_VICTIM, http.url]);
  assert.deepEqual(JSON.parse(stop.stdout), { jsonrpc: '2.0', id: 1, result: null });
  assert.equal((await statusOf(daemon, 'victim')).target, 'Down');
  assert.ok(!isAlive(pid), 'the stop over HTTP ended the process');
});

test('a Host that does not name the listener is refused (403) even with the token, and nothing runs', async () => {
  daemon = await startDaemon(SERVICES);
  const pid = await runningVictim(daemon);
  const http = await startHttp(daemon.socket);
  const token = tokenIn(`${daemon.socket}.http-token`);
  for (const host of ['rebind.example', `rebind.example:${http.port}`, `127.0.0.1:${http.port + 1}`, `[::1]:${http.port}`]) {
    const r = await rpcOverHttp(http.url, token, 'service_stop', ['victim'], { host });
    assert.equal(r.status, 403, host);
    assert.match(JSON.stringify(r.json), new RegExp(`use http://127\\.0\\.0\\.1:${http.port}/`), host);
  }
  await untouched(daemon, pid);
  const viaLocalhost = await rpcOverHttp(http.url, token, 'service_list', [], { host: `localhost:${http.port}` });
  assert.equal(viaLocalhost.status, 200);
});

test('a non-loopback address is refused without --http-allow-remote; with it the listener binds and serves', async () => {
  daemon = await startDaemon(SERVICES);
  for (const address of ['0.0.0.0:0', '[::]:0']) {
    const r = await socketCall(daemon.socket, 'system_start_http_server', [address]);
    assert.equal(r.error?.code, ErrorCode.INVALID_PARAMS, address);
    assert.match(r.error?.message ?? '', /not a loopback address.*--http-allow-remote/);
  }
  const bad = await socketCall(daemon.socket, 'system_start_http_server', ['not-an-address']);
  assert.equal(bad.error?.code, ErrorCode.INVALID_PARAMS);
  await daemon.cleanup();

  daemon = await startDaemon(SERVICES, ['--http-allow-remote']);
  const http = await startHttp(daemon.socket, '0.0.0.0:0');
  const token = tokenIn(`${daemon.socket}.http-token`);
  assert.equal((await rpcOverHttp(`http://127.0.0.1:${http.port}/`, token, 'service_list')).status, 200);
  const external = Object.values(os.networkInterfaces())
    .flat()
    .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal);
  if (external !== undefined) {
    const r = await rpcOverHttp(`http://${external.address}:${http.port}/`, token, 'service_list');
    assert.equal(r.status, 200, 'reached on a non-loopback address, Host being that address');
  }
});

test('stopping the server closes its port (connection refused); stopping again is an error', async () => {
  daemon = await startDaemon(SERVICES);
  const http = await startHttp(daemon.socket);
  const token = tokenIn(`${daemon.socket}.http-token`);
  assert.equal((await rpcOverHttp(http.url, token, 'service_list')).status, 200);
  assert.deepEqual(await socketCall(daemon.socket, 'system_stop_http_server'), { result: null });
  await assert.rejects(rpcOverHttp(http.url, token, 'service_list'), (err: NodeJS.ErrnoException) => err.code === 'ECONNREFUSED');
  const c = await curl(['-X', 'POST', http.url]);
  assert.equal(c.code, 7, `curl: ${c.stderr}`);
  const again = await socketCall(daemon.socket, 'system_stop_http_server');
  assert.equal(again.error?.code, ErrorCode.INTERNAL_ERROR);
  assert.match(again.error?.message ?? '', /^stopping http server: no HTTP\/RPC server is running/);
  // Started again, it uses the same token file (reused, not replaced).
  const second = await startHttp(daemon.socket);
  assert.equal((await rpcOverHttp(second.url, token, 'service_list')).status, 200);
});

test('starting at the address already served is an error; at another address the new listener replaces the old', async () => {
  daemon = await startDaemon(SERVICES);
  const first = await startHttp(daemon.socket);
  const token = tokenIn(`${daemon.socket}.http-token`);
  const same = await socketCall(daemon.socket, 'system_start_http_server', [`localhost:${first.port}`]);
  assert.equal(same.error?.code, ErrorCode.INTERNAL_ERROR);
  assert.match(same.error?.message ?? '', /already runs at 127\.0\.0\.1:\d+; stop it first with system_stop_http_server/);
  assert.equal((await rpcOverHttp(first.url, token, 'service_list')).status, 200, 'the first still serves');
  const second = await startHttp(daemon.socket);
  assert.notEqual(second.port, first.port);
  assert.equal((await rpcOverHttp(second.url, token, 'service_list')).status, 200);
  await assert.rejects(rpcOverHttp(first.url, token, 'service_list'), (err: NodeJS.ErrnoException) => err.code === 'ECONNREFUSED');
});

test('--http-token-file: a file open to others is refused saying how to fix it; once 0600 its token is the one', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'token');
  const token = 'operator-chosen-token-0123456789';
  fs.writeFileSync(file, `${token}\n`, { mode: 0o644 });
  fs.chmodSync(file, 0o644);
  daemon = await startDaemon(SERVICES, ['--http-token-file', file], { dir });
  const refused = await socketCall(daemon.socket, 'system_start_http_server', ['127.0.0.1:0']);
  assert.equal(refused.error?.code, ErrorCode.INTERNAL_ERROR);
  assert.match(refused.error?.message ?? '', /readable or writable by group or others \(mode 0644\): run chmod 600 /);
  fs.chmodSync(file, 0o600);
  const http = await startHttp(daemon.socket);
  assert.equal((await rpcOverHttp(http.url, token, 'service_list')).status, 200);
  assert.equal(fs.existsSync(`${daemon.socket}.http-token`), false, 'no default file when one is named');
  const r = await rpcOverHttp(http.url, null, 'service_list');
  assert.match(JSON.stringify(r.json), new RegExp(`the token in ${file}`));
});

test('--http-allow-origin: that page gets CORS headers and its preflight answered; other pages get a 403 and run nothing', async () => {
  const page = 'http://127.0.0.1:3999';
  daemon = await startDaemon(SERVICES, ['--http-allow-origin', page]);
  const pid = await runningVictim(daemon);
  const http = await startHttp(daemon.socket);
  const token = tokenIn(`${daemon.socket}.http-token`);
  const preflight = await httpRequest(http.url, { method: 'OPTIONS', headers: { origin: page, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers['access-control-allow-origin'], page);
  const allowed = await rpcOverHttp(http.url, token, 'service_list', [], { origin: page });
  assert.equal(allowed.status, 200);
  assert.equal(allowed.headers['access-control-allow-origin'], page);

  const other = await httpRequest(http.url, { method: 'OPTIONS', headers: { origin: 'http://127.0.0.1:4000' } });
  assert.equal(other.status, 403);
  assert.equal(other.headers['access-control-allow-origin'], undefined);
  const stop = await rpcOverHttp(http.url, token, 'service_stop', ['victim'], { origin: 'http://127.0.0.1:4000' });
  assert.equal(stop.status, 403);
  assert.equal(stop.headers['access-control-allow-origin'], undefined);
  await untouched(daemon, pid);

  const cli = await runCli(['init', '--http-allow-origin', '*'], { timeoutMs: 10_000 });
  assert.equal(cli.code, 1);
  assert.match(cli.stderr, /--http-allow-origin takes a web origin/);
});

test('subscriptions over HTTP are refused and start nothing; a body over the cap is 413 and the daemon serves on', async () => {
  const dir = tempDir();
  const mark = path.join(dir, 'ran');
  daemon = await startDaemon(SERVICES, [], { dir });
  const http = await startHttp(daemon.socket);
  const token = tokenIn(`${daemon.socket}.http-token`);
  for (const [method, params] of [['system_run', [['sh', '-c', `touch ${mark}`]]], ['stream_subscribeLogs', ['victim']]] as const) {
    const r = await rpcOverHttp(http.url, token, method, params);
    assert.equal(r.status, 200);
    const error = (r.json as { error: { code: number; message: string } }).error;
    assert.equal(error.code, ErrorCode.INTERNAL_ERROR, method);
    assert.match(error.message, /is a subscription, and HTTP carries one answer per request/);
  }
  // The refusal comes before any spawn, so the file cannot appear later.
  assert.equal(fs.existsSync(mark), false);
  const statuses = await socketCall(daemon.socket, 'service_statuses');
  assert.deepEqual((statuses.result as { name: string }[]).map((s) => s.name), ['victim']);

  // curl reads an answer that comes while it still uploads (a Node client may see EPIPE once the server closes after refusing).
  const hugeFile = path.join(dir, 'huge.json');
  fs.writeFileSync(hugeFile, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'service_list', params: { pad: 'x'.repeat(2 * 1024 * 1024) } }));
  const big = await curl(['-X', 'POST', '-H', 'content-type: application/json', '-H', `authorization: Bearer ${token}`, '--data-binary', `@${hugeFile}`, '-w', 'HTTP-STATUS:%{http_code}', http.url]);
  const cut = big.stdout.lastIndexOf('HTTP-STATUS:');
  assert.equal(big.stdout.slice(cut + 12), '413', big.stdout);
  assert.equal((JSON.parse(big.stdout.slice(0, cut)) as { error: { code: number } }).error.code, ErrorCode.REQUEST_TOO_LARGE);
  assert.equal((await rpcOverHttp(http.url, token, 'service_list')).status, 200);
});
