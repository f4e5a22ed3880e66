// The bearer token of a request and its comparison.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bearerOf, tokenMatches } from '../../../../src/ipc/http/bearer-token.js';

test('Authorization: Bearer <token>, the scheme in any case', () => {
  assert.equal(bearerOf('Bearer abc.def'), 'abc.def');
  assert.equal(bearerOf('bearer  abc'), 'abc');
  assert.equal(bearerOf('BEARER abc '), 'abc');
  for (const h of [undefined, '', 'Bearer', 'Bearer ', 'Basic YWJj', 'Bearer a b', 'Token abc', 'abc']) assert.equal(bearerOf(h), null, String(h));
});

test('only the exact token matches, whatever the lengths', () => {
  const expected = 'f'.repeat(64);
  assert.equal(tokenMatches(expected, expected), true);
  for (const given of ['', 'f', 'f'.repeat(63), 'f'.repeat(65), `${'f'.repeat(63)}e`, 'F'.repeat(64)]) assert.equal(tokenMatches(given, expected), false, given);
});
