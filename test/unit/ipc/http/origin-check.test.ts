// Pages may call only from allow-listed origins; a client that is no page (no Origin, no Sec-Fetch-Site) is not a page's request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpRefusedError } from '../../../../src/errors/http-errors.js';
import { checkOrigin, parseAllowedOrigin } from '../../../../src/ipc/http/origin-check.js';

const allowed = new Set(['http://127.0.0.1:3000', 'https://admin.example.com']);

test('an allow-listed origin is allowed and answered CORS headers for; no Origin is a program, not a page', () => {
  assert.deepEqual(checkOrigin('http://127.0.0.1:3000', 'same-site', allowed), { ok: true, cors: 'http://127.0.0.1:3000' });
  assert.deepEqual(checkOrigin(undefined, undefined, allowed), { ok: true, cors: null });
  assert.deepEqual(checkOrigin(undefined, 'none', allowed), { ok: true, cors: null });
});

test('any other Origin is refused with 403 and the flag that would allow it; so is a page that sent none', () => {
  for (const origin of ['http://evil.example', 'null', 'http://127.0.0.1:3001', 'http://127.0.0.1:3000/', 'HTTP://127.0.0.1:3000', 'http://127.0.0.1:3000, http://evil.example']) {
    const v = checkOrigin(origin, 'cross-site', allowed);
    assert.equal(v.ok, false, origin);
    if (v.ok) continue;
    assert.ok(v.error instanceof HttpRefusedError);
    assert.equal(v.error.status, 403);
    assert.match(v.error.message, /--http-allow-origin/);
  }
  assert.deepEqual(checkOrigin('http://x.example', undefined, new Set()).ok, false, 'nothing listed: no page at all');
  const pageWithout = checkOrigin(undefined, 'cross-site', allowed);
  assert.equal(pageWithout.ok, false);
});

test('--http-allow-origin takes origins as browsers write them, and refuses what would allow any page', () => {
  assert.equal(parseAllowedOrigin('http://127.0.0.1:3000'), 'http://127.0.0.1:3000');
  assert.equal(parseAllowedOrigin('http://127.0.0.1:3000/'), 'http://127.0.0.1:3000');
  assert.equal(parseAllowedOrigin('https://Admin.Example.com:443'), 'https://admin.example.com');
  assert.equal(parseAllowedOrigin('http://[::1]:8000'), 'http://[::1]:8000');
  for (const bad of ['*', 'null', 'http://*.example.com', 'example.com', 'ftp://x.example', 'http://x.example/path', 'http://x.example/?q', 'http://u:p@x.example', 'file:///etc', ''])
    assert.throws(() => parseAllowedOrigin(bad), /--http-allow-origin takes a web origin/, bad);
});
