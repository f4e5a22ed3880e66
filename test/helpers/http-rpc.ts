// Drives the HTTP/RPC listener in tests: started over the control socket, called with Node's http (any Host, any header) or with curl.
import http from 'node:http';
import fs from 'node:fs';
import { execFile } from 'node:child_process';
import { RpcClient } from '../../src/ipc/client.js';

/** One call over the control socket; resolves with the result or the error object. */
export async function socketCall(socket: string, method: string, params: unknown = []): Promise<{ result?: unknown; error?: { code: number; message: string } }> {
  const c = await RpcClient.connect(socket);
  try {
    return { result: await c.call(method, params, { timeoutMs: 10_000 }) };
  } catch (err) {
    const e = err as { code?: number; message: string };
    if (typeof e.code !== 'number') throw err;
    return { error: { code: e.code, message: e.message } };
  } finally {
    await c.close();
  }
}

export interface StartedHttp {
  readonly port: number;
  readonly url: string;
  readonly answer: string;
}

/** system_start_http_server over the socket; fails the test with the daemon's error otherwise. */
export async function startHttp(socket: string, address = '127.0.0.1:0'): Promise<StartedHttp> {
  const r = await socketCall(socket, 'system_start_http_server', [address]);
  if (typeof r.result !== 'string') throw new Error(`system_start_http_server failed: ${JSON.stringify(r.error)}`);
  const m = /^HTTP\/RPC server started at (.*):(\d+)$/.exec(r.result);
  if (m === null) throw new Error(`unexpected answer ${r.result}`);
  const host = m[1] === 'localhost' ? '127.0.0.1' : (m[1] ?? '');
  return { port: Number(m[2]), url: `http://${host}:${m[2]}/`, answer: r.result };
}

export function tokenIn(file: string): string {
  return fs.readFileSync(file, 'utf8').trim();
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
  readonly json: { id?: unknown; result?: unknown; error?: { code: number; message: string; data?: unknown } } | unknown[] | null;
}

/** One HTTP request (bounded in time); `headers` may set Host. */
export function httpRequest(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer; timeoutMs?: number } = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'POST', headers: opts.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString();
        let json: HttpAnswer['json'];
        try {
          json = text === '' ? null : (JSON.parse(text) as HttpAnswer['json']);
        } catch {
          json = null;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer from ${url} within ${opts.timeoutMs ?? 15_000} ms`)), opts.timeoutMs ?? 15_000);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(opts.body);
  });
}

/** A JSON-RPC request as a JSON POST with the token (unless `token` is null). */
export function rpcOverHttp(url: string, token: string | null, method: string, params: unknown = [], headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return httpRequest(url, {
    headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
}

export interface CurlResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The curl binary (a client that is neither Node nor ours), bounded in time. */
export function curl(args: readonly string[], timeoutMs = 15_000): Promise<CurlResult> {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '--max-time', String(Math.ceil(timeoutMs / 1000)), ...args], { timeout: timeoutMs + 2000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
