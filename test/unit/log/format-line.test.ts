// formatLogLine: the shape a person reads in `zinit-ts log`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLogLine, formatZinitLine } from '../../../src/log/format-line.js';
import { START_MARKER_TEXT } from '../../../src/log/log-line.js';

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

void test("formatZinitLine writes zinit's lines: [+] for stdout, [-] for stderr and for the spawn mark", () => {
  const ts = Date.parse('2026-11-21T23:18:12.345Z');
  assert.equal(formatZinitLine({ seq: 1, ts, service: 'web', stream: 'stdout', text: 'listening on :80' }), '[+] web: listening on :80');
  assert.equal(formatZinitLine({ seq: 2, ts, service: 'db', stream: 'stderr', text: '' }), '[-] db: ');
  assert.equal(formatZinitLine({ seq: 3, ts, service: 'db', stream: 'stderr', text: START_MARKER_TEXT, start: true }), '[-] db: ------------ [start] ------------');
});
