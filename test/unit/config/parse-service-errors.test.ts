// parseServiceFile on broken files: each problem located, explained, and all of them reported.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseServiceFile } from '../../../src/config/parse-service.js';
import { strictParse } from '../../../src/config/strict-load.js';
import type { ConfigError, IdentityResolver } from '../../../src/config/types.js';

const FILE = '/etc/zinit/svc.yaml';

/** The problems of a file that `check` refuses: its errors, and its warnings as errors. */
function errorsOf(text: string, opts: { name?: string; resolve?: IdentityResolver } = {}): ConfigError[] {
  const { config, errors } = strictParse(parseServiceFile(opts.name ?? 'svc', text, FILE, opts.resolve));
  assert.equal(config, null, 'a file with errors must not yield a config');
  assert.ok(errors.length > 0);
  for (const e of errors) {
    assert.equal(e.file, FILE);
    assert.equal(e.service, opts.name ?? 'svc');
  }
  return errors;
}

/** The one error of a file, as [line, column, message]. */
function onlyError(text: string, opts: { name?: string; resolve?: IdentityResolver } = {}): [number, number, string] {
  const errors = errorsOf(text, opts);
  assert.equal(errors.length, 1, `expected one error, got ${JSON.stringify(errors)}`);
  const e = errors[0] as ConfigError;
  return [e.line, e.column, e.message];
}

void describe('parseServiceFile: YAML syntax', () => {
  void test('an unclosed flow list is reported at its line and column', () => {
    const errors = errorsOf('exec: app\nafter: [db\nlog: ring\n');
    assert.ok(errors.every((e) => e.line > 0 && e.column > 0));
    assert.match(errors[0]?.message ?? '', /^YAML syntax error: /);
    assert.ok(errors.some((e) => e.line >= 2));
  });

  void test('a bad indentation points at the offending line', () => {
    const first = errorsOf('exec: app\nenv:\n  A: 1\n B: 2\n')[0];
    assert.ok(first);
    assert.deepEqual([first.line, first.column], [4, 1]);
    assert.match(first.message, /^YAML syntax error: /);
  });

  void test('a duplicated key is reported at the second one', () => {
    assert.deepEqual(onlyError('exec: a\nlog: ring\nexec: b\n'), [3, 1, 'this key appears twice in the file; keep only one']);
  });

  void test('two documents in one file', () => {
    const [line, , message] = onlyError('exec: a\n---\nexec: b\n');
    assert.equal(line, 2);
    assert.match(message, /one YAML document; remove the second "---"/);
  });

  void test('a tag the parser does not know', () => {
    const [line, column, message] = onlyError('exec: !shell app\n');
    assert.deepEqual([line, column], [1, 7]);
    assert.match(message, /!shell/);
  });
});

void describe('parseServiceFile: shape of the file', () => {
  void test('an empty file needs exec', () => {
    assert.deepEqual(onlyError(''), [1, 1, 'exec is required: the file is empty; give the command to run, e.g. exec: redis-server --port 7777']);
  });

  void test('a file of only comments needs exec', () => {
    assert.match(onlyError('# nothing yet\n')[2], /^exec is required/);
  });

  void test('a missing exec', () => {
    const [line, column, message] = onlyError('test: check\nlog: stdout\n');
    assert.deepEqual([line, column], [1, 1]);
    assert.match(message, /^exec is required; give the command to run/);
  });

  void test('an empty exec, a blank exec and a comment-only exec', () => {
    assert.deepEqual(onlyError('exec:\n').slice(0, 2), [1, 1]);
    assert.match(onlyError('exec:\n')[2], /^exec must not be empty/);
    assert.deepEqual(onlyError('exec: "   "\n'), [1, 7, 'exec must not be empty; give the command to run, e.g. exec: redis-server --port 7777']);
    assert.match(onlyError('exec: "# off"\n')[2], /^exec must not be empty/);
  });

  void test('a top level that is a list or a scalar', () => {
    assert.match(onlyError('- exec: app\n')[2], /^a service file must be a mapping of keys to values .*got a list$/);
    assert.match(onlyError('just text\n')[2], /got string "just text"$/);
  });

  void test('a key that is not a name', () => {
    assert.match(onlyError('exec: app\n[a]: 1\n')[2], /^keys must be plain names such as exec or after, got a list$/);
  });
});

void describe('parseServiceFile: unknown keys', () => {
  const cases: [string, string][] = [
    ['exce: app', 'unknown key "exce"; did you mean exec?'],
    ['cmd: app', 'unknown key "cmd"; did you mean exec?'],
    ['command: app', 'unknown key "command"; did you mean exec?'],
    ['depends_on: [db]', 'unknown key "depends_on"; did you mean after?'],
    ['requires: [db]', 'unknown key "requires"; did you mean after?'],
    ['shutdown_timout: 5', 'unknown key "shutdown_timout"; did you mean shutdown_timeout?'],
    ['Log: ring', 'unknown key "Log"; did you mean log?'],
    ['environment: {A: b}', 'unknown key "environment"; did you mean env?'],
  ];
  for (const [line, message] of cases) {
    void test(`${line}: a warning, and the file still loads`, () => {
      const { config, errors, warnings } = parseServiceFile('svc', `exec: app\n${line}\n`, FILE);
      assert.deepEqual(errors, []);
      assert.deepEqual(config?.argv, ['app']);
      assert.deepEqual(warnings.map((w) => [w.file, w.service, w.line, w.column, w.message, w.code]), [[FILE, 'svc', 2, 1, message, 'unknown-key']]);
    });
  }

  void test('for check, the same key is an error that makes the file invalid', () => {
    assert.deepEqual(onlyError('exec: app\nexce: app\n'), [2, 1, 'unknown key "exce"; did you mean exec?']);
  });

  void test('a file with errors still reports its warnings, apart', () => {
    const { config, errors, warnings } = parseServiceFile('svc', 'exec: app\noneshot: maybe\ncmd: x\n', FILE);
    assert.equal(config, null);
    assert.deepEqual(errors.map((e) => e.line), [2]);
    assert.deepEqual(warnings.map((w) => w.line), [3]);
  });

  void test('no hint when nothing is close, but the list of keys', () => {
    assert.match(onlyError('exec: app\nbanana: 1\n')[2], /^unknown key "banana"; known keys are exec, test, oneshot, after, signal, /);
  });
});

void describe('parseServiceFile: wrong types', () => {
  const cases: [string, number, string][] = [
    ['oneshot: yes', 10, 'oneshot must be true or false, got string "yes" (YAML 1.2 reads yes/no/on/off as text)'],
    ['oneshot: 1', 10, 'oneshot must be true or false, got number 1'],
    ['critical: "true"', 11, 'critical must be true or false, got string "true"'],
    ['after: {db: 1}', 8, 'after must be a list of service names, e.g. after: [db, cache], got a mapping'],
    ['env: [A=1]', 6, 'env must be a mapping of variable names to values, e.g. env: {PORT: "8080"}, got a list'],
    ['dir: [a]', 6, 'dir must be a directory path, got a list'],
    ['dir: 5', 6, 'dir must be a directory path, got number 5'],
    ['log: [ring]', 6, 'log must be one of ring, stdout, none, file, got a list'],
    ['shutdown_timeout: abc', 19, 'shutdown_timeout must be a non-negative number of seconds or a string such as "500ms", "2s" or "1m", got string "abc"'],
    ['shutdown_timeout: -1', 19, 'shutdown_timeout must be a non-negative number of seconds or a string such as "500ms", "2s" or "1m", got number -1'],
    ['restart_delay: 1h', 16, 'restart_delay must be a non-negative number of seconds or a string such as "500ms", "2s" or "1m", got string "1h"'],
    ['test_interval: 0', 16, 'test_interval must be more than 0, got number 0'],
    ['test_timeout: 0s', 15, 'test_timeout must be more than 0, got string "0s"'],
    ['max_restarts: 2.5', 15, 'max_restarts must be a non-negative whole number, got number 2.5'],
    ['max_restarts: "3"', 15, 'max_restarts must be a non-negative whole number, got string "3"'],
    ['log_max_files: -1', 16, 'log_max_files must be a non-negative whole number, got number -1'],
    ['log_max_size: 0', 15, 'log_max_size must be more than 0 bytes, got number 0'],
    ['log_max_size: 10X', 15, 'log_max_size must be a whole number of bytes or a string such as "10K", "10M" or "1G" (powers of 1024), got string "10X"'],
    ['restart: no', 10, 'restart must be one of always, on-failure, never, got string "no"; did you mean never?'],
    ['restart: on_failure', 10, 'restart must be one of always, on-failure, never, got string "on_failure"; did you mean on-failure?'],
    ['restart: false', 10, 'restart must be one of always, on-failure, never, got boolean false; did you mean never?'],
    ['log: stdot', 6, 'log must be one of ring, stdout, none, file, got string "stdot"; did you mean stdout?'],
    ['log: "null"', 6, 'log must be one of ring, stdout, none, file, got string "null"; did you mean none?'],
    ['test: [check]', 7, 'test must be a command line on one string, e.g. test: "redis-server --port 7777", got a list'],
    ['user: [a]', 7, 'user must be a user name or a numeric id, got a list'],
    ['user: ""', 7, 'user must be a user name or a numeric id, got string ""'],
    ['restart: unless-stopped', 10, 'restart must be one of always, on-failure, never, got string "unless-stopped"; did you mean always?'],
    ['env: "A=1"', 6, 'env must be a mapping of variable names to values, e.g. env: {PORT: "8080"}, got string "A=1"'],
    ['signal: {stop: [TERM]}', 16, 'signal.stop must be a signal name such as SIGTERM, got a list'],
    ['user: -1', 7, 'user id must be a whole number from 0 to 4294967294, got number -1'],
    ['group: 99999999999', 8, 'group id 99999999999 is out of range; ids go from 0 to 4294967294'],
    ['log_file: [a]', 11, 'log_file must be a file path, got a list'],
    ['kill_mode: control_group', 12, 'kill_mode must be one of mixed, control-group, process, got string "control_group"; did you mean control-group?'],
    ['kill_mode: main', 12, 'kill_mode must be one of mixed, control-group, process, got string "main"; did you mean process?'],
    ['kill_mode: none', 12, 'kill_mode must be one of mixed, control-group, process, got string "none"'],
    ['kill_mode: [mixed]', 12, 'kill_mode must be one of mixed, control-group, process, got a list'],
  ];
  for (const [line, column, message] of cases) {
    void test(line, () => {
      assert.deepEqual(onlyError(`exec: app\n${line}\n`), [2, column, message]);
    });
  }

  void test('exec that is a list says to write one command line', () => {
    assert.deepEqual(onlyError('exec: [redis-server, --port, "7777"]\n'), [
      1,
      7,
      'exec must be a command line on one string, e.g. exec: "redis-server --port 7777", got a list',
    ]);
  });
});

void describe('parseServiceFile: commands', () => {
  void test('an unterminated quote in exec, test and post_stop', () => {
    const errors = errorsOf(`exec: sh -c 'echo hi\ntest: check "a\npost_stop: "umount '/x"\n`);
    assert.deepEqual(
      errors.map((e) => [e.line, e.column, e.message]),
      [
        [1, 7, `exec is not a valid command line: unterminated single quote at character 7 of "sh -c 'echo hi"; add the closing '`],
        [2, 7, `test is not a valid command line: unterminated double quote at character 7 of "check \\"a"; add the closing "`],
        [3, 12, `post_stop is not a valid command line: unterminated single quote at character 8 of "umount '/x"; add the closing '`],
      ],
    );
  });
});

void describe('parseServiceFile: signal', () => {
  void test('an unknown signal name gets the closest real one', () => {
    assert.deepEqual(onlyError('exec: app\nsignal: {stop: SIGTREM}\n'), [2, 16, 'signal.stop "SIGTREM" is not a signal on this system; did you mean SIGTERM?']);
  });

  void test('a name nothing like a signal', () => {
    assert.match(onlyError('exec: app\nsignal: {stop: graceful}\n')[2], /is not a signal on this system; use a name such as SIGTERM/);
  });

  void test('a signal number is refused with its name as the fix', () => {
    assert.deepEqual(onlyError('exec: app\nsignal: {stop: 15}\n'), [2, 16, 'signal.stop must be a signal name, got number 15; write SIGTERM']);
  });

  void test('signal written as a plain string shows the mapping form', () => {
    assert.deepEqual(onlyError('exec: app\nsignal: SIGINT\n'), [
      2,
      9,
      'signal must be a mapping with a stop key, e.g. signal: {stop: SIGINT}, got string "SIGINT"',
    ]);
  });

  void test('an unknown key under signal: a warning beside stop, an error for check', () => {
    const lenient = parseServiceFile('svc', 'exec: app\nsignal:\n  stop: INT\n  stpo: TERM\n', FILE);
    assert.deepEqual([lenient.errors, lenient.config?.stopSignal], [[], 'SIGINT']);
    assert.deepEqual(lenient.warnings.map((w) => [w.line, w.column, w.message, w.code]), [[4, 3, 'unknown key signal.stpo; did you mean stop?', 'unknown-key']]);
    assert.deepEqual(onlyError('exec: app\nsignal:\n  stpo: TERM\n'), [3, 3, 'unknown key signal.stpo; did you mean stop?']);
    assert.match(onlyError('exec: app\nsignal: {reload: HUP}\n')[2], /^unknown key signal.reload; the only key under signal is stop$/);
  });
});

void describe('parseServiceFile: after and env', () => {
  void test('a bad name in after', () => {
    assert.deepEqual(onlyError('exec: app\nafter: [db, ../etc]\n'), [2, 13, 'after: service name "../etc" must not contain "/" or "\\"']);
    assert.match(onlyError('exec: app\nafter: [.hidden]\n')[2], /must not start with "\."/);
    assert.match(onlyError('exec: app\nafter: ["a b"]\n')[2], /may only use letters, digits/);
  });

  void test('a list or mapping inside after', () => {
    assert.deepEqual(onlyError('exec: app\nafter: [db, [x]]\n'), [2, 13, 'after must list service names, got a list in the list']);
  });

  void test('a service that comes after itself', () => {
    assert.match(onlyError('exec: app\nafter: [db, svc]\n')[2], /^after lists the service itself \("svc"\)/);
  });

  void test('an env variable without a value, with a nested value, with "=" in its name', () => {
    const errors = errorsOf('exec: app\nenv:\n  A:\n  B: [1]\n  C=D: x\n  OK: fine\n');
    assert.deepEqual(
      errors.map((e) => [e.line, e.column, e.message]),
      [
        [3, 3, 'env.A must be a string, number or boolean, got nothing (the key has no value); write A: "" for an empty value'],
        [4, 6, 'env.B must be a string, number or boolean, got a list'],
        [5, 3, 'env variable names must be non-empty text without "=", got "C=D"'],
      ],
    );
  });
});

void describe('parseServiceFile: rules across keys', () => {
  void test('log: file without log_file', () => {
    assert.deepEqual(onlyError('exec: app\nlog: file\n'), [
      2,
      6,
      'log: file needs log_file, the path to append output to; add e.g. log_file: /var/log/service.log',
    ]);
  });

  void test('log_file without log: file says to add it', () => {
    assert.deepEqual(onlyError('exec: app\nlog_file: /var/log/app.log\n'), [2, 1, 'log_file only takes effect with log: file (log is "ring"); add log: file']);
    assert.match(onlyError('exec: app\nlog: stdout\nlog_file: /x.log\n')[2], /\(log is "stdout"\); add log: file$/);
  });

  void test('a relative log_file', () => {
    assert.deepEqual(onlyError('exec: app\nlog: file\nlog_file: app.log\n'), [
      3,
      11,
      'log_file must be an absolute path, got "app.log"; write e.g. /var/log/app.log',
    ]);
  });

  void test('restart on a oneshot', () => {
    assert.match(onlyError('exec: app\noneshot: true\nrestart: always\n')[2], /^restart does not apply to a oneshot service/);
  });

  void test('a backoff cap below the first delay', () => {
    assert.deepEqual(onlyError('exec: app\nrestart_delay: 5\nrestart_max_delay: 2s\n'), [3, 20, 'restart_max_delay (2 s) must be at least restart_delay (5 s)']);
    assert.deepEqual(onlyError('exec: app\nrestart_delay: 1m\n'), [2, 16, 'restart_max_delay (30 s) must be at least restart_delay (60 s)']);
  });

  void test('a key that is wrong on its own is not judged again by the cross-key rules', () => {
    assert.equal(errorsOf('exec: app\nlog: fil\nlog_file: /x\n').length, 1);
    assert.equal(errorsOf('exec: app\nlog: file\nlog_file: rel\n').length, 1);
  });
});

void describe('parseServiceFile: identities', () => {
  const resolve: IdentityResolver = (kind, value) => (kind === 'user' && value === 'www' ? 33 : null);

  void test('an unknown user or group', () => {
    const errors = errorsOf('exec: app\nuser: bob\ngroup: staff\n', { resolve });
    assert.deepEqual(
      errors.map((e) => [e.line, e.column, e.message]),
      [
        [2, 7, 'user "bob" does not exist on this system; use an existing name or a numeric id'],
        [3, 8, 'group "staff" does not exist on this system; use an existing name or a numeric id'],
      ],
    );
  });

  void test('a resolver that fails is reported, not thrown', () => {
    const broken: IdentityResolver = () => {
      throw new Error('/etc/passwd is unreadable');
    };
    assert.match(onlyError('exec: app\nuser: www\n', { resolve: broken })[2], /^user "www" could not be looked up: \/etc\/passwd is unreadable$/);
  });
});

void describe('parseServiceFile: names and collecting everything', () => {
  for (const name of ['a/b', '.hidden', 'sp ace', '']) {
    void test(`the file name ${JSON.stringify(name)} is refused`, () => {
      const [line, column, message] = onlyError('exec: app\n', { name });
      assert.deepEqual([line, column], [0, 0]);
      assert.match(message, /; rename the file$/);
    });
  }

  void test('every problem of a file is reported, in file order', () => {
    const errors = errorsOf(
      ['cmd: app', 'oneshot: maybe', 'signal: {stop: NOPE}', 'shutdown_timeout: soon', 'log: file', 'after: [a/b]', 'user: bob'].join('\n'),
      { resolve: () => null },
    );
    const expected: [number, RegExp][] = [
      [1, /^unknown key "cmd"; did you mean exec\?$/],
      [1, /^exec is required/],
      [2, /^oneshot must be true or false/],
      [3, /^signal.stop "NOPE" is not a signal/],
      [4, /^shutdown_timeout must be a non-negative number/],
      [5, /^log: file needs log_file/],
      [6, /^after: service name "a\/b"/],
      [7, /^user "bob" does not exist/],
    ];
    assert.equal(errors.length, expected.length, JSON.stringify(errors));
    expected.forEach(([line, message], i) => {
      assert.equal(errors[i]?.line, line);
      assert.match(errors[i]?.message ?? '', message);
    });
  });

  void test('an alias with no anchor', () => {
    assert.deepEqual(onlyError('exec: app\ntest: *probe\n'), [2, 7, 'alias *probe refers to no anchor &probe above it']);
  });
});

void describe('parseServiceFile: name', () => {
  void test('equal to the file name it is accepted and changes nothing', () => {
    for (const text of ['name: svc\nexec: app\n', 'name: "svc"\nexec: app\n', 'name:\nexec: app\n']) {
      const { config, errors, warnings } = parseServiceFile('svc', text, FILE);
      assert.deepEqual([errors, warnings], [[], []], text);
      assert.equal(config?.name, 'svc');
    }
    const numeric = parseServiceFile('42', 'name: 42\nexec: app\n', '/etc/zinit/42.yaml');
    assert.deepEqual([numeric.errors, numeric.config?.name], [[], '42'], 'a name written as a number is compared as written');
  });

  void test('another name is an error saying what to change', () => {
    assert.deepEqual(onlyError('name: web\nexec: app\n'), [
      1,
      7,
      'name "web" differs from the service name "svc", which comes from the file name svc.yaml; write name: svc, or remove the key, or rename svc.yaml to web.yaml if the service is to be called that',
    ]);
    const yml = parseServiceFile('svc', 'exec: app\nname: web\n', '/etc/zinit/svc.yml');
    assert.match(yml.errors[0]?.message ?? '', /rename svc\.yml to web\.yml if/);
  });

  void test('a name that could not be a file name is not offered as one', () => {
    const [, , message] = onlyError('exec: app\nname: a/b\n');
    assert.equal(message, 'name "a/b" differs from the service name "svc", which comes from the file name svc.yaml; write name: svc, or remove the key');
  });

  void test('a name that is not text', () => {
    assert.deepEqual(onlyError('exec: app\nname: [svc]\n'), [2, 7, 'name must be the service name as text, got a list; write name: svc, or remove the key (the file name names the service)']);
  });

  void test('a misspelt name key is an unknown key with the hint', () => {
    const { config, warnings } = parseServiceFile('svc', 'exec: app\nnmae: svc\n', FILE);
    assert.ok(config);
    assert.deepEqual(warnings.map((w) => w.message), ['unknown key "nmae"; did you mean name?']);
  });
});
