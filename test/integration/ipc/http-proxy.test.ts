// `zinit-ts proxy`: an HTTP front served by the CLI process, forwarding to the control socket behind the same checks as the daemon's listener.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ErrorCode } from '../../../src/errors/codes.js';
import { cliEntry } from '../../helpers/paths.js';
import { runCli, startDaemon, statusOf, tempDir, waitState, type DaemonHandle } from '../../helpers/daemon.js';
import { httpRequest, rpcOverHttp, tokenIn } from '../../helpers/http-rpc.js';
import { waitFor } from '../../helpers/wait-for.js';

let daemon: DaemonHandle | null = null;
let proxy: ChildProcess | null = null;

afterEach(async () => {
  if (proxy !== null && proxy.exitCode === null && proxy.signalCode === null) {
    proxy.kill('SIGKILL');
    await waitFor(() => proxy?.exitCode !== null || proxy.signalCode !== null, 5000, 'proxy exit');
  }
  proxy = null;
  await daemon?.cleanup();
  daemon = null;
});

interface Proxy {
  readonly child: ChildProcess;
  readonly url: string;
  output(): string;
  exited(): Promise<number | null>;
}

async function startProxy(socket: string, args: readonly string[]): Promise<Proxy> {
  const child = spawn(process.execPath, [cliEntry, '-s', socket, 'proxy', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  proxy = child;
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  // Its last line at start names the token file: written after the address, in a write of its own.
  const started = (): string | null => (out.includes('Bearer token in') ? (/HTTP\/RPC server started at 127\.0\.0\.1:(\d+)/.exec(out)?.[1] ?? null) : null);
  const port = await waitFor(() => started() ?? (child.exitCode !== null ? 'exited' : null), 10_000, 'the proxy to listen and name its token file');
  if (port === 'exited') throw new Error(`proxy exited: ${out}`);
  return { child, url: `http://127.0.0.1:${port}/`, output: () => out, exited: () => Promise.race([exit, new Promise<null>((_r, reject) => setTimeout(() => reject(new Error('proxy did not exit')), 10_000))]) };
}

test('the proxy forwards calls made with the token, refuses the rest before anything runs, and stops on Ctrl+C', async () => {
  daemon = await startDaemon({ victim: 'exec: sleep 1000\n' });
  const pid = (await waitState(daemon, 'victim', 'Running')).pid;
  const p = await startProxy(daemon.socket, ['127.0.0.1:0']);
  const tokenFile = `${daemon.socket}.http-token`;
  assert.match(p.output(), new RegExp(`Starting HTTP/RPC server on 127\\.0\\.0\\.1:0\\nConnecting to Zinit daemon at ${daemon.socket}\\n`));
  assert.ok(p.output().includes(`Bearer token in ${tokenFile} (created, mode 0600)`));
  assert.equal(fs.statSync(tokenFile).mode & 0o777, 0o600);
  const token = tokenIn(tokenFile);

  const none = await rpcOverHttp(p.url, null, 'service_stop', ['victim']);
  assert.equal(none.status, 401);
  const host = await rpcOverHttp(p.url, token, 'service_stop', ['victim'], { host: 'rebind.example' });
  assert.equal(host.status, 403);
  const page = await httpRequest(p.url, { headers: { 'content-type': 'text/plain', origin: 'http://127.0.0.1:9999' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'service_stop', params: ['victim'] }) });
  assert.equal(page.status, 403);
  const logs = await rpcOverHttp(p.url, token, 'stream_subscribeLogs', []);
  assert.equal((logs.json as { error: { code: number } }).error.code, ErrorCode.INTERNAL_ERROR);
  const s = await statusOf(daemon, 'victim');
  assert.deepEqual([s.state, s.pid], ['Running', pid], 'nothing reached the service');

  const list = await rpcOverHttp(p.url, token, 'service_list');
  assert.deepEqual(list.json, { jsonrpc: '2.0', id: 1, result: { victim: 'Running' } });
  // The daemon's own errors come back unchanged, and a batch answers in order.
  const batch = await httpRequest(p.url, {
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify([
      { jsonrpc: '2.0', id: 'a', method: 'service_status', params: ['nope'] },
      { jsonrpc: '2.0', id: 'b', method: 'service_list' },
      { jsonrpc: '2.0', method: 'service_list' },
    ]),
  });
  const answers = batch.json as { id: string; error?: { code: number } }[];
  assert.deepEqual(answers.map((a) => [a.id, a.error?.code]), [['a', ErrorCode.SERVICE_NOT_FOUND], ['b', undefined]]);

  p.child.kill('SIGINT');
  assert.equal(await p.exited(), 0);
  assert.match(p.output(), /HTTP\/RPC server stopped\n$/);
  await assert.rejects(rpcOverHttp(p.url, token, 'service_list'), (err: NodeJS.ErrnoException) => err.code === 'ECONNREFUSED');
});

test('the proxy refuses a non-loopback address without --http-allow-remote, an open token file, and a missing daemon', async () => {
  daemon = await startDaemon({});
  const remote = await runCli(['proxy', '0.0.0.0:0'], { socket: daemon.socket });
  assert.equal(remote.code, 1);
  assert.match(remote.stderr, /not a loopback address.*--http-allow-remote/);

  const dir = tempDir();
  const file = path.join(dir, 'token');
  fs.writeFileSync(file, 'a-token-that-is-long-enough\n');
  fs.chmodSync(file, 0o640);
  const open = await runCli(['proxy', '--http-token-file', file, '127.0.0.1:0'], { socket: daemon.socket });
  assert.equal(open.code, 1);
  assert.match(open.stderr, /mode 0640\): run chmod 600/);

  const gone = await runCli(['proxy', '127.0.0.1:0'], { socket: path.join(dir, 'no.sock') });
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /no\.sock/);
  fs.rmSync(dir, { recursive: true, force: true });
});
