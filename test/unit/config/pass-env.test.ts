// pass_env: a list of variable names, only with user, each mistake explained.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseServiceFile } from '../../../src/config/parse-service.js';
import type { IdentityResolver } from '../../../src/config/types.js';

const ids: IdentityResolver = (kind, value) => (kind === 'user' && value === 'app' ? 1000 : null);

function parse(text: string): ReturnType<typeof parseServiceFile> {
  return parseServiceFile('svc', text, '/etc/zinit/svc.yaml', ids);
}

/** [line, column, message] of each problem. */
function problems(text: string): [number, number, string][] {
  const { config, errors } = parse(text);
  assert.equal(config, null);
  return errors.map((e) => [e.line, e.column, e.message]);
}

void describe('pass_env', () => {
  void test('a list of names, kept in order without repeats; a single name is a list of one', () => {
    assert.deepEqual(parse('exec: app\nuser: app\npass_env: [AWS_REGION, http_proxy, _X1, AWS_REGION]\n').config?.passEnv, ['AWS_REGION', 'http_proxy', '_X1']);
    assert.deepEqual(parse('exec: app\nuser: app\npass_env: TOKEN\n').config?.passEnv, ['TOKEN']);
    assert.deepEqual(parse('exec: app\nuser: app\npass_env:\n  - A\n  - B\n').config?.passEnv, ['A', 'B']);
  });

  void test('not given, or given empty, is an empty list', () => {
    assert.deepEqual(parse('exec: app\nuser: app\n').config?.passEnv, []);
    assert.deepEqual(parse('exec: app\nuser: app\npass_env:\n').config?.passEnv, []);
  });

  void test('each entry that is not a variable name is reported with what to write instead', () => {
    assert.deepEqual(problems('exec: app\nuser: app\npass_env: [A=1, "B C", $HOME, 9LIVES, {x: 1}]\n'), [
      [3, 12, 'pass_env lists names only, got "A=1"; pass A from the daemon with pass_env: [A], or set it with env: {A: "1"}'],
      [3, 17, 'pass_env names one variable per entry, got "B C"; write a list: pass_env: [B, C]'],
      [3, 24, 'pass_env takes the name without "$", got "$HOME"; write HOME'],
      [3, 31, 'pass_env: "9LIVES" is not a variable name; use letters, digits and _, not starting with a digit'],
      [3, 39, 'pass_env must list variable names, got a mapping in the list'],
    ]);
  });

  void test('a mapping is not a list', () => {
    assert.deepEqual(problems('exec: app\nuser: app\npass_env: {A: 1}\n'), [
      [3, 11, 'pass_env must be a list of variable names, e.g. pass_env: [AWS_REGION, HTTP_PROXY], got a mapping'],
    ]);
  });

  void test('without user it has no effect, which is an error saying so', () => {
    assert.deepEqual(problems('exec: app\npass_env: [A]\n'), [
      [2, 1, 'pass_env only takes effect with user: a service without user inherits every variable of the daemon already; add user: or remove pass_env'],
    ]);
  });

  void test('names other tools use for it get a hint', () => {
    for (const key of ['PassEnvironment', 'pass-env', 'passenv', 'pass_environment']) {
      const [first] = parse(`exec: app\nuser: app\n${key}: [A]\n`).warnings;
      assert.equal(first?.message, `unknown key ${JSON.stringify(key)}; did you mean pass_env?`);
    }
  });
});
