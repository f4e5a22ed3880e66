// The one-line form of a config error.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { formatConfigError } from '../../../src/config/format-error.js';

void describe('formatConfigError', () => {
  const base = { file: '/etc/zinit/web.yaml', service: 'web', message: 'exec is required' };

  void test('file:line:column: message', () => {
    assert.equal(formatConfigError({ ...base, line: 3, column: 5 }), '/etc/zinit/web.yaml:3:5: exec is required');
  });

  void test('leaves out an unknown position', () => {
    assert.equal(formatConfigError({ ...base, line: 0, column: 0 }), '/etc/zinit/web.yaml: exec is required');
    assert.equal(formatConfigError({ ...base, line: 2, column: 0 }), '/etc/zinit/web.yaml:2: exec is required');
  });
});
