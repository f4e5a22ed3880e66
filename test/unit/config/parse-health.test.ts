// parseServiceFile on the health keys: ready and live probes in each form, live_interval, live_failures and notify.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseServiceFile } from '../../../src/config/parse-service.js';
import { strictParse } from '../../../src/config/strict-load.js';
import type { ConfigError, Probe, ServiceConfig } from '../../../src/config/types.js';

const FILE = '/etc/zinit/svc.yaml';

function load(text: string): ServiceConfig {
  const { config, errors } = strictParse(parseServiceFile('svc', text, FILE));
  assert.deepEqual(errors, []);
  assert.ok(config);
  return config;
}

/** Every error of a file, as [line, column, message]. */
function errorsOf(text: string): [number, number, string][] {
  const { config, errors } = strictParse(parseServiceFile('svc', text, FILE));
  assert.equal(config, null, 'a file with errors must not yield a config');
  return errors.map((e: ConfigError) => [e.line, e.column, e.message]);
}

void describe('parseServiceFile: ready and live probes', () => {
  const accepted: [string, Probe][] = [
    ['http://127.0.0.1:8080/healthz', { kind: 'http', url: 'http://127.0.0.1:8080/healthz', host: '127.0.0.1', port: 8080, path: '/healthz' }],
    ['http://localhost', { kind: 'http', url: 'http://localhost/', host: 'localhost', port: 80, path: '/' }],
    ['http://localhost:9000', { kind: 'http', url: 'http://localhost:9000/', host: 'localhost', port: 9000, path: '/' }],
    ['http://[::1]:8080/x', { kind: 'http', url: 'http://[::1]:8080/x', host: '::1', port: 8080, path: '/x' }],
    ['http://api.local/status?verbose=1&x=2', { kind: 'http', url: 'http://api.local/status?verbose=1&x=2', host: 'api.local', port: 80, path: '/status?verbose=1&x=2' }],
    ['HTTP://Api.Local:80/Ready', { kind: 'http', url: 'http://api.local/Ready', host: 'api.local', port: 80, path: '/Ready' }],
    ['http://h:65535/', { kind: 'http', url: 'http://h:65535/', host: 'h', port: 65535, path: '/' }],
    ['tcp://127.0.0.1:5432', { kind: 'tcp', host: '127.0.0.1', port: 5432 }],
    ['tcp://db.internal:1', { kind: 'tcp', host: 'db.internal', port: 1 }],
    ['tcp://[::1]:6379', { kind: 'tcp', host: '::1', port: 6379 }],
    ['redis-cli -p 7777 PING', { kind: 'command', line: 'redis-cli -p 7777 PING', argv: ['redis-cli', '-p', '7777', 'PING'] }],
    [`"sh -c 'curl -fsS http://x/ | grep ok'"`, { kind: 'command', line: "sh -c 'curl -fsS http://x/ | grep ok'", argv: ['sh', '-c', 'curl -fsS http://x/ | grep ok'] }],
    ['"true"', { kind: 'command', line: 'true', argv: ['true'] }],
  ];
  for (const [value, probe] of accepted) {
    void test(`ready: ${value}`, () => {
      const c = load(`exec: app\nready: ${value}\n`);
      assert.deepEqual(c.ready, probe);
      assert.equal(c.live, null);
    });
    void test(`live: ${value}`, () => {
      const c = load(`exec: app\nlive: ${value}\n`);
      assert.deepEqual(c.live, probe);
      assert.equal(c.ready, null);
    });
  }

  void test('a command probe is split exactly as test is', () => {
    const line = `check --name "a b" 'c d' e\\ f`;
    const c = load(`exec: app\ntest: ${line}\nlive: ${line}\n`);
    assert.deepEqual(c.live, { kind: 'command', line: c.test, argv: c.testArgv });
    assert.deepEqual(c.testArgv, ['check', '--name', 'a b', 'c d', 'e f']);
  });

  void test('ready and live together, each its own form', () => {
    const c = load('exec: app\nready: tcp://127.0.0.1:8080\nlive: http://127.0.0.1:8080/healthz\n');
    assert.deepEqual(c.ready, { kind: 'tcp', host: '127.0.0.1', port: 8080 });
    assert.deepEqual(c.live, { kind: 'http', url: 'http://127.0.0.1:8080/healthz', host: '127.0.0.1', port: 8080, path: '/healthz' });
  });
});

void describe('parseServiceFile: refused probes', () => {
  const forms = 'http://HOST:PORT/PATH, tcp://HOST:PORT or a command line, e.g. ready: http://127.0.0.1:8080/healthz';
  const refused: [string, number, string][] = [
    ['https://api.local/healthz', 8, 'ready: only http:// is probed, not https:// ("https://api.local/healthz"); probe a plain-http port, or use a command probe, e.g. ready: curl -fsS https://api.local/healthz'],
    ['ftp://files.local/x', 8, `ready: ftp:// is not a probe; write ${forms}`],
    ['http://user:secret@h/x', 8, 'ready: a probe sends no user or password, got "user:secret@" in "http://user:secret@h/x"; remove it and probe an endpoint that needs none, or use a command probe'],
    ['tcp://u@h:1', 8, 'ready: a probe sends no user or password, got "u@" in "tcp://u@h:1"; remove it and probe an endpoint that needs none, or use a command probe'],
    ['http://h/x#top', 8, 'ready: the fragment "#top" is never sent to the server; remove it from "http://h/x#top"'],
    ['http://h:0/', 8, 'ready: the port must be a whole number from 1 to 65535, got "0" in "http://h:0/"; write e.g. ready: http://127.0.0.1:8080/healthz'],
    ['http://h:65536/', 8, 'ready: the port must be a whole number from 1 to 65535, got "65536" in "http://h:65536/"; write e.g. ready: http://127.0.0.1:8080/healthz'],
    ['http://h:http/', 8, 'ready: the port must be a whole number from 1 to 65535, got "http" in "http://h:http/"; write e.g. ready: http://127.0.0.1:8080/healthz'],
    ['http:///healthz', 8, 'ready needs a host in "http:///healthz"; write e.g. ready: http://127.0.0.1:8080/healthz'],
    ['http://exa mple/', 8, 'ready: an http:// probe is one URL without blanks, got "http://exa mple/"; write a space in a path as %20, or use a command probe'],
    ['http://h%zz/', 8, 'ready is not a valid http:// URL: "http://h%zz/"; write e.g. ready: http://127.0.0.1:8080/healthz'],
    ['tcp://db', 8, 'ready: a tcp:// probe needs a port, got "tcp://db"; write e.g. ready: tcp://db:5432'],
    ['tcp://db:0', 8, 'ready: the port must be a whole number from 1 to 65535, got "0" in "tcp://db:0"; write e.g. ready: tcp://127.0.0.1:5432'],
    ['tcp://db:5432/x', 8, 'ready: a tcp:// probe is a host and a port only, got "/x" after them; remove it, or probe a path with http://'],
    ['tcp://db:5432/', 8, 'ready: a tcp:// probe is a host and a port only, got "/" after them; remove it, or probe a path with http://'],
    ['tcp://::1:80', 8, 'ready: an IPv6 address goes in brackets, got "tcp://::1:80"; write e.g. ready: tcp://[::1]:8080'],
    ['tcp://[::1:80', 8, 'ready: "[::1:80" is not a valid host in "tcp://[::1:80"; write an IPv6 address in brackets, e.g. [::1], then :PORT'],
    ['tcp://a%zz:1', 8, 'ready: "a%zz" is not a valid host in "tcp://a%zz:1"; write e.g. ready: tcp://127.0.0.1:5432'],
    ['8080', 8, `ready must be ${forms}, got number 8080; for a port write ready: tcp://127.0.0.1:8080`],
    ['true', 8, `ready must be ${forms}, got boolean true; to run the command true, quote it: ready: "true"`],
    ['[curl, x]', 8, `ready must be ${forms}, got a list`],
    ['{http: x}', 8, `ready must be ${forms}, got a mapping`],
    ['localhost:8080', 8, 'ready: "localhost:8080" reads as a command, yet it looks like an address; write ready: tcp://localhost:8080'],
    ['":8080"', 8, 'ready: ":8080" reads as a command, yet it looks like an address; write ready: tcp://127.0.0.1:8080'],
    ['""', 8, `ready must not be empty; give ${forms}, or remove the key`],
    [`check "a`, 8, `ready is not a valid command line: unterminated double quote at character 7 of "check \\"a"; add the closing "`],
  ];
  for (const [value, column, message] of refused) {
    void test(`ready: ${value}`, () => {
      assert.deepEqual(errorsOf(`exec: app\nready: ${value}\n`), [[2, column, message]]);
    });
  }

  void test('live is refused the same way, under its own name', () => {
    assert.deepEqual(errorsOf('exec: app\nlive: https://h/\n'), [
      [2, 7, 'live: only http:// is probed, not https:// ("https://h/"); probe a plain-http port, or use a command probe, e.g. live: curl -fsS https://h/'],
    ]);
    assert.deepEqual(errorsOf('exec: app\nlive: tcp://h\n'), [[2, 7, 'live: a tcp:// probe needs a port, got "tcp://h"; write e.g. live: tcp://h:5432']]);
  });
});

void describe('parseServiceFile: live_interval, live_failures and notify', () => {
  void test('live_interval in seconds or with a unit, live_failures a count', () => {
    const c = load('exec: app\nlive: tcp://h:1\nlive_interval: 2.5\nlive_failures: 1\n');
    assert.equal(c.liveIntervalMs, 2500);
    assert.equal(c.liveFailures, 1);
    assert.equal(load('exec: app\nlive: tcp://h:1\nlive_interval: 500ms\nlive_failures: 10\n').liveIntervalMs, 500);
    assert.equal(load('exec: app\nlive: tcp://h:1\nlive_interval: 1m\n').liveIntervalMs, 60_000);
  });

  void test('live alone gets the default interval and failure count', () => {
    const c = load('exec: app\nlive: tcp://h:1\n');
    assert.deepEqual([c.liveIntervalMs, c.liveFailures], [10_000, 3]);
  });

  void test('notify: fd and systemd', () => {
    assert.equal(load('exec: app\nnotify: fd\n').notify, 'fd');
    assert.equal(load('exec: app\nnotify: systemd\n').notify, 'systemd');
    assert.equal(load('exec: app\n').notify, null);
  });

  const refused: [string, number, string][] = [
    ['live_interval: 0', 16, 'live_interval must be more than 0, got number 0'],
    ['live_interval: 0ms', 16, 'live_interval must be more than 0, got string "0ms"'],
    ['live_interval: 1h', 16, 'live_interval must be a non-negative number of seconds or a string such as "500ms", "2s" or "1m", got string "1h"'],
    ['live_failures: 0', 16, 'live_failures must be at least 1, got number 0: it counts the failed liveness probes in a row that restart the service; write e.g. live_failures: 3, or remove live: for no liveness probe'],
    ['live_failures: -1', 16, 'live_failures must be a non-negative whole number, got number -1'],
    ['live_failures: 1.5', 16, 'live_failures must be a non-negative whole number, got number 1.5'],
    ['notify: sd_notify', 9, 'notify must be one of fd, systemd, got string "sd_notify"; did you mean systemd?'],
    ['notify: sdnotify', 9, 'notify must be one of fd, systemd, got string "sdnotify"; did you mean systemd?'],
    ['notify: notify', 9, 'notify must be one of fd, systemd, got string "notify"; did you mean systemd?'],
    ['notify: sytemd', 9, 'notify must be one of fd, systemd, got string "sytemd"; did you mean systemd?'],
    ['notify: s6', 9, 'notify must be one of fd, systemd, got string "s6"; did you mean fd?'],
    ['notify: pipe', 9, 'notify must be one of fd, systemd, got string "pipe"; did you mean fd?'],
    ['notify: 3', 9, 'notify must be one of fd, systemd, got number 3; did you mean fd?'],
    ['notify: true', 9, 'notify must be one of fd, systemd, got boolean true; say how the service tells it is ready: fd (the service writes a newline to fd 3, as s6 does) or systemd (it sends READY=1 to NOTIFY_SOCKET, as sd_notify does)'],
    ['notify: yes', 9, 'notify must be one of fd, systemd, got string "yes"; say how the service tells it is ready: fd (the service writes a newline to fd 3, as s6 does) or systemd (it sends READY=1 to NOTIFY_SOCKET, as sd_notify does)'],
    ['notify: false', 9, 'notify must be one of fd, systemd, got boolean false; to have no notification, remove the key'],
    ['notify: [fd]', 9, 'notify must be one of fd, systemd, got a list'],
  ];
  for (const [line, column, message] of refused) {
    void test(line, () => {
      assert.deepEqual(errorsOf(`exec: app\n${line}\nlive: tcp://h:1\n`), [[2, column, message]]);
    });
  }
});

void describe('parseServiceFile: rules across the health keys', () => {
  const bothProbes = "test and ready are both readiness probes and readiness is told once; keep ready (or test, zinit's form) and remove the other";

  void test('test and ready together: readiness is told once', () => {
    assert.deepEqual(errorsOf('exec: app\ntest: check\nready: tcp://h:1\n'), [[3, 1, bothProbes]]);
    assert.deepEqual(errorsOf('exec: app\nready: tcp://h:1\ntest: check\n'), [[2, 1, bothProbes]]);
  });

  void test('an empty test is no probe, so ready may stand beside it', () => {
    const c = load('exec: app\ntest: ""\nready: tcp://h:1\n');
    assert.equal(c.test, null);
    assert.deepEqual(c.ready, { kind: 'tcp', host: 'h', port: 1 });
  });

  void test('notify with test, with ready, or with both', () => {
    const told = 'when the service is ready, and readiness is told once; with notify the service says it itself';
    assert.deepEqual(errorsOf('exec: app\ntest: check\nnotify: fd\n'), [[3, 1, `notify and test both tell ${told}: keep notify and remove test, or remove notify`]]);
    assert.deepEqual(errorsOf('exec: app\nready: tcp://h:1\nnotify: systemd\n'), [[3, 1, `notify and ready both tell ${told}: keep notify and remove ready, or remove notify`]]);
    assert.deepEqual(errorsOf('exec: app\ntest: check\nready: tcp://h:1\nnotify: fd\n'), [
      [3, 1, bothProbes],
      [4, 1, `notify, test and ready all tell ${told}: keep notify and remove test and ready, or remove notify`],
    ]);
  });

  void test('a oneshot takes no ready, live or notify', () => {
    const rule = (key: string): string => `${key} does not apply to a oneshot service, which is done when it exits; remove ${key} or set oneshot: false`;
    assert.deepEqual(errorsOf('exec: app\noneshot: true\nready: tcp://h:1\n'), [[3, 1, rule('ready')]]);
    assert.deepEqual(errorsOf('exec: app\nlive: tcp://h:1\noneshot: true\n'), [[2, 1, rule('live')]]);
    assert.deepEqual(errorsOf('exec: app\noneshot: true\nnotify: fd\n'), [[3, 1, rule('notify')]]);
  });

  void test('oneshot: false, or a oneshot with test as zinit allows, loads', () => {
    const c = load('exec: app\noneshot: false\nready: tcp://h:1\nlive: tcp://h:1\n');
    assert.equal(c.oneshot, false);
    assert.equal(load('exec: app\noneshot: true\ntest: check\n').test, 'check');
  });

  void test('live_interval and live_failures without live', () => {
    const rule = (key: string): string => `${key} only takes effect with live:, the liveness probe; add e.g. live: http://127.0.0.1:8080/healthz, or remove ${key}`;
    assert.deepEqual(errorsOf('exec: app\nlive_interval: 5\n'), [[2, 1, rule('live_interval')]]);
    assert.deepEqual(errorsOf('exec: app\nlive_failures: 2\n'), [[2, 1, rule('live_failures')]]);
    assert.deepEqual(errorsOf('exec: app\nready: tcp://h:1\nlive_interval: 5\nlive_failures: 2\n'), [
      [3, 1, rule('live_interval')],
      [4, 1, rule('live_failures')],
    ]);
  });

  void test('a test_timeout longer than live_interval is allowed: probes never overlap', () => {
    const c = load('exec: app\nlive: tcp://h:1\nlive_interval: 1\ntest_timeout: 30\n');
    assert.deepEqual([c.liveIntervalMs, c.testTimeoutMs], [1000, 30_000]);
  });

  void test('a key that is wrong on its own is not judged again by these rules', () => {
    assert.equal(errorsOf('exec: app\ntest: check\nready: https://h/\n').length, 1);
    assert.equal(errorsOf('exec: app\nready: tcp://h:1\nnotify: yes\n').length, 1);
    assert.equal(errorsOf('exec: app\noneshot: true\nlive: ftp://h\n').length, 1);
    assert.equal(errorsOf('exec: app\nlive: ftp://h\nlive_interval: 5\n').length, 1);
    assert.equal(errorsOf('exec: app\nlive_interval: 0\n').length, 1);
  });
});
