// A token file must be a regular file of ours, closed to group and others, holding one strong token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTokenFile, tokenFromText } from '../../../../src/ipc/http/token-rules.js';
import { TokenFileError } from '../../../../src/errors/http-errors.js';

const ok = { isFile: true, mode: 0o100600, uid: 0, size: 65 };

test('a 0600 (or 0400) regular file of ours or root\'s is accepted', () => {
  assert.equal(checkTokenFile('/t', ok, 0), null);
  assert.equal(checkTokenFile('/t', { ...ok, mode: 0o100400 }, 0), null);
  assert.equal(checkTokenFile('/t', { ...ok, uid: 1000 }, 1000), null);
  assert.equal(checkTokenFile('/t', { ...ok, uid: 0 }, 1000), null, 'root may hold a token for another user');
});

test('group or others bits, another owner, not a file, too large: each refused saying how to fix', () => {
  const cases: [Partial<typeof ok>, number, string, RegExp][] = [
    [{ mode: 0o100644 }, 0, 'open-mode', /mode 0644\): run chmod 600 \/t/],
    [{ mode: 0o100640 }, 0, 'open-mode', /chmod 600/],
    [{ mode: 0o100602 }, 0, 'open-mode', /readable or writable by group or others/],
    [{ uid: 1000 }, 0, 'owner', /belongs to uid 1000.*chown 0 \/t/],
    [{ isFile: false }, 0, 'not-a-file', /not a regular file/],
    [{ size: 5000 }, 0, 'too-large', /larger than 4096 bytes/],
  ];
  for (const [facts, euid, problem, message] of cases) {
    const err = checkTokenFile('/t', { ...ok, ...facts }, euid);
    assert.ok(err instanceof TokenFileError, JSON.stringify(facts));
    assert.equal(err.problem, problem);
    assert.match(err.message, message);
  }
});

test('the token is the file\'s text trimmed; a short or spaced one is refused', () => {
  assert.equal(tokenFromText('/t', `${'a1'.repeat(16)}\n`), 'a1'.repeat(16));
  for (const text of ['', '\n', 'short', 'has a space in it ok', 'x'.repeat(15)]) assert.throws(() => tokenFromText('/t', text), (e: unknown) => e instanceof TokenFileError && e.problem === 'weak', text);
});
