// /etc/environment lines: KEY=VALUE, comments, export, quotes, and what is skipped.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseEnvironmentFile } from '../../../src/config/environment-file.js';

void describe('parseEnvironmentFile', () => {
  void test('plain, quoted and exported assignments; comments and blank lines', () => {
    const { vars, skipped } = parseEnvironmentFile([
      '# system-wide variables',
      'PATH="/usr/local/bin:/usr/bin"',
      '',
      "LANG='C.UTF-8'",
      'export EDITOR=vi',
      '  SPACED = kept?',
      'EMPTY=',
      'EQUALS=a=b',
      'HASH=a#b',
      'HALF="open',
      'LAST=2\r',
    ].join('\n'));
    assert.deepEqual(vars, { PATH: '/usr/local/bin:/usr/bin', LANG: 'C.UTF-8', EDITOR: 'vi', EMPTY: '', EQUALS: 'a=b', HASH: 'a#b', HALF: '"open', LAST: '2' });
    assert.deepEqual(skipped, [{ line: 6, message: 'not a NAME=VALUE line (NAME made of letters, digits and _), skipped: "SPACED = kept?"' }]);
  });

  void test('a later assignment wins; a line without = is skipped', () => {
    const { vars, skipped } = parseEnvironmentFile('A=1\nA=2\njust words\n9X=1\n');
    assert.deepEqual(vars, { A: '2' });
    assert.deepEqual(skipped.map((s) => s.line), [3, 4]);
  });
});
