// A request body read as one JSON value under the socket's caps: the declared length, the bytes sent, the depth, one value only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { ErrorCode } from '../../../../src/errors/codes.js';
import { readJsonBody } from '../../../../src/ipc/http/read-body.js';

const limits = { maxBytes: 100, maxDepth: 4 };

function body(...chunks: string[]): PassThrough {
  const s = new PassThrough();
  for (const c of chunks) s.write(c);
  s.end();
  return s;
}

test('one value, in one chunk or several', async () => {
  assert.deepEqual(await readJsonBody(body('{"a":[1,2]}'), undefined, limits), { ok: true, message: { a: [1, 2] } });
  assert.deepEqual(await readJsonBody(body('[{"a"', ':1}]\n'), '12', limits), { ok: true, message: [{ a: 1 }] });
});

test('a declared length over the cap is refused (413) before a byte is read', async () => {
  const s = new PassThrough();
  const r = await readJsonBody(s, '101', limits);
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.status, 413);
  assert.equal(r.unread, true);
  assert.equal(r.error.code, ErrorCode.REQUEST_TOO_LARGE);
  assert.equal(s.listenerCount('data'), 0, 'nothing was read');
});

test('bytes past the cap stop the reading (413), whether one value or several', async () => {
  const big = `{"a":"${'x'.repeat(200)}"}`;
  const one = await readJsonBody(body(big), undefined, limits);
  assert.equal(one.ok === false && one.status, 413);
  const many = await readJsonBody(body('{}'.repeat(60)), undefined, limits);
  assert.equal(many.ok === false && many.status, 413);
  // Reading stops: the rest of an endless body is never asked for.
  const endless = new PassThrough();
  endless.write('{"a":"');
  for (let i = 0; i < 10; i++) endless.write('x'.repeat(50));
  const r = await readJsonBody(endless, undefined, limits);
  assert.equal(r.ok === false && r.status, 413);
  assert.equal(endless.isPaused(), true);
});

test('too deep, empty, not JSON, two values: the socket\'s errors', async () => {
  const codeOf = async (text: string): Promise<number | undefined> => {
    const r = await readJsonBody(body(text), undefined, limits);
    return r.ok ? undefined : r.error.code;
  };
  assert.equal(await codeOf('[[[[[1]]]]]'), ErrorCode.REQUEST_TOO_DEEP);
  assert.equal(await codeOf(''), ErrorCode.PARSE_ERROR);
  assert.equal(await codeOf('{not json'), ErrorCode.PARSE_ERROR);
  assert.equal(await codeOf('{"a":1}{"b":2}'), ErrorCode.PARSE_ERROR);
  assert.equal(await codeOf('42'), undefined, 'a scalar parses; the request check refuses it');
});

test('a client gone before the end rejects', async () => {
  const s = new PassThrough();
  s.write('{"a"');
  const reading = readJsonBody(s, undefined, limits);
  s.destroy();
  await assert.rejects(reading);
});
