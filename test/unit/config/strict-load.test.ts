// check's reading of a load: unknown keys, warnings for the daemon, become errors that make their file invalid.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseServiceFile } from '../../../src/config/parse-service.js';
import { strictLoad, strictParse } from '../../../src/config/strict-load.js';
import type { ConfigError, LoadResult } from '../../../src/config/types.js';
import { svc } from '../../helpers/service-config.js';

const at = (service: string, line: number, message: string, code?: ConfigError['code']): ConfigError => ({
  file: `/etc/zinit/${service}.yaml`,
  service,
  line,
  column: 1,
  message,
  ...(code === undefined ? {} : { code }),
});

void describe('strictParse', () => {
  void test('a file with only warnings is refused, its warnings now errors', () => {
    const lenient = parseServiceFile('svc', 'exec: app\ncmd: x\n', '/etc/zinit/svc.yaml');
    assert.ok(lenient.config, 'the daemon loads it');
    const strict = strictParse(lenient);
    assert.equal(strict.config, null);
    assert.deepEqual(strict.errors.map((e) => [e.line, e.message]), [[2, 'unknown key "cmd"; did you mean exec?']]);
    assert.deepEqual(strict.warnings, []);
  });

  void test('errors and warnings merge in file order, the counts of the unshown last', () => {
    const strict = strictParse({
      config: null,
      errors: [at('s', 0, 'name'), at('s', 4, 'bad value'), at('s', 0, '3 more problem(s)', 'too-many-errors')],
      warnings: [at('s', 2, 'unknown key', 'unknown-key'), at('s', 0, '9 more warning(s)', 'too-many-warnings')],
    });
    assert.deepEqual(strict.errors.map((e) => e.message), ['name', 'unknown key', 'bad value', '3 more problem(s)', '9 more warning(s)']);
  });

  void test('a result without warnings is returned as it is', () => {
    const clean = parseServiceFile('svc', 'exec: app\n', '/etc/zinit/svc.yaml');
    assert.equal(strictParse(clean), clean);
  });
});

void describe('strictLoad', () => {
  void test('services with warnings leave the valid set; every file keeps its problems together', () => {
    const loaded: LoadResult = {
      services: new Map([['a', svc('a')], ['b', svc('b')], ['d', svc('d')]]),
      errors: [at('c', 1, 'exec is required')],
      warnings: [at('b', 3, 'unknown key "x"', 'unknown-key'), at('c', 2, 'unknown key "y"', 'unknown-key'), at('d', 1, 'unknown key "z"', 'unknown-key')],
    };
    const strict = strictLoad(loaded);
    assert.deepEqual([...strict.services.keys()], ['a']);
    assert.deepEqual(strict.errors.map((e) => [e.service, e.line, e.message]), [
      ['b', 3, 'unknown key "x"'],
      ['c', 1, 'exec is required'],
      ['c', 2, 'unknown key "y"'],
      ['d', 1, 'unknown key "z"'],
    ]);
    assert.deepEqual(strict.warnings, []);
  });

  void test('a load without warnings is returned as it is', () => {
    const loaded: LoadResult = { services: new Map([['a', svc('a')]]), errors: [at('c', 1, 'bad')], warnings: [] };
    assert.equal(strictLoad(loaded), loaded);
  });
});
