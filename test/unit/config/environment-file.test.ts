// /etc/environment lines: every NAME=VALUE zinit takes, comments, export, quotes, and what is skipped (bounded).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_SKIPPED_KEPT, parseEnvironmentFile } from '../../../src/config/environment-file.js';

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
    assert.deepEqual(skipped, [{ line: 6, message: 'the name before "=" must be one word without blanks, skipped: "SPACED = kept?"' }]);
  });

  void test('any name zinit takes is taken: a leading digit, dots, dashes', () => {
    const { vars, skipped } = parseEnvironmentFile('9X=1\nmy.var=2\nx-y=3\n');
    assert.deepEqual(vars, { '9X': '1', 'my.var': '2', 'x-y': '3' });
    assert.deepEqual(skipped, []);
  });

  void test('a later assignment wins; a line without = and a value with a NUL are skipped', () => {
    const { vars, skipped } = parseEnvironmentFile('A=1\nA=2\njust words\nB=x\0y\n');
    assert.deepEqual(vars, { A: '2' });
    assert.deepEqual(skipped.map((s) => s.line), [3, 4]);
    assert.match(skipped[0]?.message ?? '', /^not a NAME=VALUE line, skipped: "just words"$/);
    assert.match(skipped[1]?.message ?? '', /NUL character/);
  });

  void test(`a file of garbage reports ${MAX_SKIPPED_KEPT} lines and counts the rest`, () => {
    const { vars, skipped } = parseEnvironmentFile(`${'nonsense\n'.repeat(5000)}OK=yes\n`);
    assert.deepEqual(vars, { OK: 'yes' });
    assert.equal(skipped.length, MAX_SKIPPED_KEPT + 1);
    assert.deepEqual(skipped.at(-1), { line: 0, message: `${5000 - MAX_SKIPPED_KEPT} more line(s) skipped` });
  });
});
