// Refusals reach the log at most once per interval, with counts, and never with a token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpRefusedError } from '../../../../src/errors/http-errors.js';
import { RefusalLog } from '../../../../src/ipc/http/refusal-log.js';

test('one line per interval, counting the refusals in between', () => {
  const lines: Record<string, unknown>[] = [];
  let now = 1000;
  const log = new RefusalLog({ warn: (_m, f) => lines.push(f ?? {}) }, 10_000, () => now);
  log.note(HttpRefusedError.origin('http://evil.example'), { origin: 'http://evil.example' });
  for (let i = 0; i < 500; i++) log.note(HttpRefusedError.missingToken('/t'), {});
  assert.equal(lines.length, 1);
  assert.equal(lines[0]?.origin, 'http://evil.example');
  now += 10_000;
  log.note(HttpRefusedError.host('x', 'http://127.0.0.1:1/'), {});
  assert.equal(lines.length, 2);
  assert.deepEqual(lines[1]?.refusedSinceLastLine, { token: 500, host: 1 });
});
