// The order and outcome of the checks on a request's method and headers: Host, preflight, POST, Origin, token, content type.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { guardRequest, type GuardPolicy, type HttpHeaders } from '../../../../src/ipc/http/request-guard.js';

const token = 'secret-token-0123456789';
const policy: GuardPolicy = { token, tokenFile: '/run/zinit.sock.http-token', allowedOrigins: new Set(['http://127.0.0.1:3000']) };
const local = { address: '127.0.0.1', port: 8080 };
const good: HttpHeaders = { host: '127.0.0.1:8080', authorization: `Bearer ${token}`, 'content-type': 'application/json' };

function verdict(method: string, headers: HttpHeaders): ReturnType<typeof guardRequest> {
  return guardRequest({ method, headers, local }, policy);
}

function refusal(method: string, headers: HttpHeaders): { status: number; refusal: unknown; message: string; headers: Readonly<Record<string, string>> } {
  const v = verdict(method, headers);
  assert.equal(v.kind, 'refuse', `${method} ${JSON.stringify(headers)} was let through`);
  if (v.kind !== 'refuse') throw new Error('unreachable');
  return { status: v.error.status, refusal: (v.error.data as { refusal: unknown }).refusal, message: v.error.message, headers: v.headers };
}

test('a POST from a program with the token and a JSON body is let through, with no CORS headers', () => {
  assert.deepEqual(verdict('POST', good), { kind: 'call', headers: {} });
  assert.deepEqual(verdict('POST', { ...good, 'content-type': 'Application/JSON; charset=utf-8' }).kind, 'call');
});

test('no token is 401 with WWW-Authenticate and where the token is; a wrong one is 401 too', () => {
  const missing = refusal('POST', { ...good, authorization: undefined });
  assert.equal(missing.status, 401);
  assert.equal(missing.refusal, 'token');
  assert.match(missing.message, /Authorization: Bearer <token>.*\/run\/zinit\.sock\.http-token/);
  assert.match(missing.headers['www-authenticate'] ?? '', /^Bearer/);
  assert.equal(refusal('POST', { ...good, authorization: `Bearer ${token}x` }).status, 401);
  assert.equal(refusal('POST', { ...good, authorization: `Basic ${token}` }).status, 401);
});

test('a Host that does not name the listener is refused first, even with the token', () => {
  const r = refusal('POST', { ...good, host: 'rebound.example:8080' });
  assert.equal(r.status, 403);
  assert.equal(r.refusal, 'host');
  assert.match(r.message, /use http:\/\/127\.0\.0\.1:8080\//);
  assert.equal(refusal('OPTIONS', { ...good, host: 'rebound.example:8080', origin: 'http://127.0.0.1:3000' }).refusal, 'host');
});

test('a page\'s simple text/plain POST is refused by its Origin before the token or the body is looked at', () => {
  const r = refusal('POST', { host: '127.0.0.1:8080', origin: 'http://evil.example', 'content-type': 'text/plain' });
  assert.equal(r.status, 403);
  assert.equal(r.refusal, 'origin');
  assert.deepEqual(Object.keys(r.headers), [], 'no CORS header lets the page read the refusal');
  assert.equal(refusal('POST', { ...good, origin: 'http://evil.example' }).refusal, 'origin', 'even with the right token');
  assert.equal(refusal('POST', { ...good, 'sec-fetch-site': 'cross-site' }).refusal, 'origin', 'a page that hid its Origin');
});

test('an allow-listed page still needs the token and JSON, and gets CORS headers on every answer', () => {
  const origin = 'http://127.0.0.1:3000';
  assert.deepEqual(verdict('POST', { ...good, origin }), { kind: 'call', headers: { 'access-control-allow-origin': origin, vary: 'Origin' } });
  const noToken = refusal('POST', { ...good, origin, authorization: undefined });
  assert.equal(noToken.status, 401);
  assert.equal(noToken.headers['access-control-allow-origin'], origin);
  const plain = refusal('POST', { ...good, origin, 'content-type': 'text/plain' });
  assert.equal(plain.status, 415);
  assert.match(plain.message, /Content-Type: application\/json/);
});

test('preflight: answered for an allow-listed origin only', () => {
  const ok = verdict('OPTIONS', { host: '127.0.0.1:8080', origin: 'http://127.0.0.1:3000', 'access-control-request-method': 'POST' });
  assert.equal(ok.kind, 'preflight');
  assert.equal(ok.headers['access-control-allow-origin'], 'http://127.0.0.1:3000');
  assert.match(ok.headers['access-control-allow-headers'] ?? '', /Authorization/);
  assert.equal(ok.headers['access-control-allow-private-network'], undefined);
  const pna = verdict('OPTIONS', { host: '127.0.0.1:8080', origin: 'http://127.0.0.1:3000', 'access-control-request-private-network': 'true' });
  assert.equal(pna.headers['access-control-allow-private-network'], 'true');
  assert.equal(refusal('OPTIONS', { host: '127.0.0.1:8080', origin: 'http://evil.example' }).refusal, 'preflight');
  assert.equal(refusal('OPTIONS', { host: '127.0.0.1:8080' }).status, 403);
});

test('methods other than POST and OPTIONS are 405 with Allow', () => {
  for (const m of ['GET', 'PUT', 'DELETE', 'HEAD', 'PATCH']) {
    const r = refusal(m, good);
    assert.equal(r.status, 405, m);
    assert.equal(r.headers.allow, 'POST, OPTIONS');
  }
});
