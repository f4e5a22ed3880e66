// shellSplit: quoting, escapes and the errors a broken command line gets.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { shellSplit } from '../../../src/config/shell-split.js';

void describe('shellSplit', () => {
  const cases: [string, string[]][] = [
    ['redis-server --port 7777', ['redis-server', '--port', '7777']],
    ['  spaced\t out \n words  ', ['spaced', 'out', 'words']],
    ['', []],
    ['   ', []],
    [`sh -c 'echo "hi there"; exit 3'`, ['sh', '-c', 'echo "hi there"; exit 3']],
    [`echo "a 'b' c"`, ['echo', "a 'b' c"]],
    [`echo 'a\\nb'`, ['echo', 'a\\nb']],
    [`echo "a\\"b" "c\\\\d" "\\$HOME" "\\x"`, ['echo', 'a"b', 'c\\d', '$HOME', '\\x']],
    ['echo a\\ b c\\"d', ['echo', 'a b', 'c"d']],
    [`echo '' "" x`, ['echo', '', '', 'x']],
    [`a'b'"c"d`, ['abcd']],
    ['echo $HOME *.txt ~', ['echo', '$HOME', '*.txt', '~']],
    ['one \\\ntwo', ['one', 'two']],
    ['echo "multi\\\nline"', ['echo', 'multiline']],
    ['run # a comment', ['run']],
    ['run #not\nnext', ['run', 'next']],
    ['curl http://x/#frag', ['curl', 'http://x/#frag']],
    [`echo '#' "#"`, ['echo', '#', '#']],
  ];
  for (const [line, words] of cases) {
    void test(`splits ${JSON.stringify(line)}`, () => {
      assert.deepEqual(shellSplit(line), words);
    });
  }

  void test('an unterminated single quote says where it opened and how to fix it', () => {
    assert.throws(() => shellSplit("sh -c 'echo hi"), {
      message: `unterminated single quote at character 7 of "sh -c 'echo hi"; add the closing '`,
    });
  });

  void test('an unterminated double quote is an error, even after an escaped quote', () => {
    assert.throws(() => shellSplit('echo "a\\"'), /unterminated double quote at character 6/);
  });

  void test('a trailing lone backslash is an error', () => {
    assert.throws(() => shellSplit('echo \\'), /ends with a lone backslash/);
  });
});
