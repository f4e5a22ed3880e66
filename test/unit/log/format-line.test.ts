// formatLogLine: the shape a person reads in `zinit-ts log`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLogLine } from '../../../src/log/format-line.js';

void test('formatLogLine puts ISO time, service and stream before the text', () => {
  const ts = Date.parse('2026-11-21T23:18:12.345Z');
  assert.equal(
    formatLogLine({ seq: 1, ts, service: 'web', stream: 'stdout', text: 'listening on :80' }),
    '2026-11-21T23:18:12.345Z [web] stdout: listening on :80',
  );
  assert.equal(
    formatLogLine({ seq: 2, ts, service: 'db', stream: 'stderr', text: '' }),
    '2026-11-21T23:18:12.345Z [db] stderr: ',
  );
});
