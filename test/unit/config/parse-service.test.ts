// parseServiceFile on valid files: zinit files unchanged, every key, and the defaults.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseServiceFile } from '../../../src/config/parse-service.js';
import * as D from '../../../src/config/defaults.js';
import type { IdentityResolver, ServiceConfig } from '../../../src/config/types.js';

const FILE = '/etc/zinit/svc.yaml';

function load(text: string, resolve?: IdentityResolver, name = 'svc'): ServiceConfig {
  const { config, errors } = parseServiceFile(name, text, FILE, resolve);
  assert.deepEqual(errors, []);
  assert.ok(config);
  return config;
}

const fakeIds: IdentityResolver = (kind, value) => {
  const table: Record<string, number> = { 'user:redis': 999, 'group:redis': 998, 'user:root': 0, 'group:root': 0 };
  return table[`${kind}:${value}`] ?? null;
};

void describe('parseServiceFile: zinit files load unchanged', () => {
  void test('a redis service with probe, dependency, stop signal and log mode', () => {
    const c = load(
      [
        'exec: redis-server --port 7777',
        'test: redis-cli -p 7777 PING',
        'after: [db]',
        'signal: {stop: sigint}',
        'log: stdout',
      ].join('\n'),
    );
    assert.equal(c.name, 'svc');
    assert.equal(c.source, FILE);
    assert.equal(c.exec, 'redis-server --port 7777');
    assert.deepEqual(c.argv, ['redis-server', '--port', '7777']);
    assert.equal(c.test, 'redis-cli -p 7777 PING');
    assert.deepEqual(c.testArgv, ['redis-cli', '-p', '7777', 'PING']);
    assert.deepEqual(c.after, ['db']);
    assert.equal(c.stopSignal, 'SIGINT');
    assert.equal(c.log, 'stdout');
  });

  void test('a oneshot with block-style lists, env, dir and shutdown_timeout', () => {
    const c = load(
      [
        'exec: "sh -c \'mkdir -p /run/app && echo ready\'"',
        'oneshot: true',
        'after:',
        '  - network',
        '  - mounts',
        'shutdown_timeout: 20',
        'env:',
        '  PORT: 8080',
        '  DEBUG: true',
        '  VERSION: 1.10',
        '  NAME: app',
        '  EMPTY: ""',
        'dir: /srv/app',
        'log: none',
        'signal:',
        '  stop: SIGQUIT',
      ].join('\n'),
    );
    assert.deepEqual(c.argv, ['sh', '-c', 'mkdir -p /run/app && echo ready']);
    assert.equal(c.oneshot, true);
    assert.deepEqual(c.after, ['network', 'mounts']);
    assert.equal(c.shutdownTimeoutMs, 20_000);
    // Numbers and booleans keep the text as written: 1.10 is a version, not 1.1.
    assert.deepEqual(c.env, { PORT: '8080', DEBUG: 'true', VERSION: '1.10', NAME: 'app', EMPTY: '' });
    assert.equal(c.dir, '/srv/app');
    assert.equal(c.log, 'none');
    assert.equal(c.stopSignal, 'SIGQUIT');
  });

  void test('an env variable may have any name a process can carry, __proto__ included', () => {
    const env = load('exec: app\nenv:\n  __proto__: x\n  lower_case: y\n').env;
    assert.deepEqual(Object.keys(env), ['__proto__', 'lower_case']);
    assert.equal(Object.getOwnPropertyDescriptor(env, '__proto__')?.value, 'x');
  });

  void test('after as a single name is a one-element list', () => {
    assert.deepEqual(load('exec: app\nafter: db\n').after, ['db']);
  });

  void test('every stop-signal spelling', () => {
    for (const s of ['sigterm', 'TERM', 'SIGTERM', 'term', 'sigkill', 'HUP']) {
      const want = s.toUpperCase().startsWith('SIG') ? s.toUpperCase() : `SIG${s.toUpperCase()}`;
      assert.equal(load(`exec: app\nsignal:\n  stop: ${s}\n`).stopSignal, want);
    }
  });

  void test('log: ring, an empty test and an empty dir are zinit-style no-ops', () => {
    const c = load('exec: app\nlog: ring\ntest: ""\ndir: ""\n');
    assert.equal(c.log, 'ring');
    assert.equal(c.test, null);
    assert.equal(c.testArgv, null);
    assert.equal(c.dir, '/');
  });

  void test('a bare `true` or number is a command, not a boolean', () => {
    const c = load('exec: true\ntest: 1\n');
    assert.deepEqual(c.argv, ['true']);
    assert.deepEqual(c.testArgv, ['1']);
  });

  void test('a multi-line exec splits over its lines', () => {
    assert.deepEqual(load('exec: >\n  app\n  --flag "a b"\n').argv, ['app', '--flag', 'a b']);
  });

  void test('anchors and aliases resolve', () => {
    const c = load('exec: &cmd app --serve\npost_stop: *cmd\n');
    assert.deepEqual(c.postStopArgv, ['app', '--serve']);
  });

  void test('comments, a document start marker and CRLF line ends are fine', () => {
    const c = load('# web service\r\n---\r\nexec: app # trailing\r\nafter: [a, b]\r\n');
    assert.deepEqual(c.argv, ['app']);
    assert.deepEqual(c.after, ['a', 'b']);
  });
});

void describe('parseServiceFile: defaults', () => {
  void test('a file with only exec gets every default', () => {
    const c = load('exec: app');
    assert.deepEqual(c, {
      name: 'svc',
      source: FILE,
      exec: 'app',
      argv: ['app'],
      test: null,
      testArgv: null,
      oneshot: false,
      after: [],
      stopSignal: 'SIGTERM',
      shutdownTimeoutMs: 10_000,
      killMode: 'mixed',
      log: 'ring',
      env: {},
      dir: '/',
      restart: 'always',
      restartDelayMs: 100,
      restartMaxDelayMs: 30_000,
      maxRestarts: 0,
      testIntervalMs: null,
      testTimeoutMs: 10_000,
      ready: null,
      live: null,
      liveIntervalMs: 10_000,
      liveFailures: 3,
      notify: null,
      user: null,
      group: null,
      passEnv: [],
      uid: null,
      gid: null,
      postStop: null,
      postStopArgv: null,
      critical: false,
      logFile: null,
      logMaxSize: 10 * 1024 * 1024,
      logMaxFiles: 5,
      limits: { memoryMax: null, memoryHigh: null, pidsMax: null, cpuWeight: null, cpuMax: null },
    });
  });

  void test('the defaults are the named constants', () => {
    const c = load('exec: app');
    assert.equal(c.stopSignal, D.DEFAULT_STOP_SIGNAL);
    assert.equal(c.shutdownTimeoutMs, D.DEFAULT_SHUTDOWN_TIMEOUT_MS);
    assert.equal(c.restartDelayMs, D.DEFAULT_RESTART_DELAY_MS);
    assert.equal(c.restartMaxDelayMs, D.DEFAULT_RESTART_MAX_DELAY_MS);
    assert.equal(c.logMaxSize, D.DEFAULT_LOG_MAX_SIZE);
    assert.equal(c.liveIntervalMs, D.DEFAULT_LIVE_INTERVAL_MS);
    assert.equal(c.liveFailures, D.DEFAULT_LIVE_FAILURES);
  });

  void test('a key with no value counts as not set', () => {
    const c = load('exec: app\ntest:\nafter:\nenv:\nsignal:\nshutdown_timeout:\nuser:\nready:\nlive:\nlive_interval:\nlive_failures:\nnotify:\n');
    assert.equal(c.test, null);
    assert.deepEqual(c.after, []);
    assert.deepEqual(c.env, {});
    assert.equal(c.stopSignal, 'SIGTERM');
    assert.equal(c.shutdownTimeoutMs, 10_000);
    assert.equal(c.killMode, 'mixed');
    assert.equal(c.user, null);
    assert.deepEqual([c.ready, c.live, c.liveIntervalMs, c.liveFailures, c.notify], [null, null, 10_000, 3, null]);
  });
});

void describe('parseServiceFile: extensions', () => {
  void test('restart policy, backoff and limits', () => {
    const c = load('exec: app\nrestart: on-failure\nrestart_delay: 500ms\nrestart_max_delay: 1m\nmax_restarts: 5\n');
    assert.equal(c.restart, 'on-failure');
    assert.equal(c.restartDelayMs, 500);
    assert.equal(c.restartMaxDelayMs, 60_000);
    assert.equal(c.maxRestarts, 5);
  });

  void test('kill_mode: mixed, control-group and process', () => {
    for (const mode of ['mixed', 'control-group', 'process'] as const) assert.equal(load(`exec: app\nkill_mode: ${mode}\n`).killMode, mode);
  });

  void test('restart: never and always', () => {
    assert.equal(load('exec: app\nrestart: never\n').restart, 'never');
    assert.equal(load('exec: app\nrestart: always\n').restart, 'always');
  });

  void test('probe interval and timeout, in seconds or with units', () => {
    const c = load('exec: app\ntest: check\ntest_interval: 0.2\ntest_timeout: 3s\n');
    assert.equal(c.testIntervalMs, 200);
    assert.equal(c.testTimeoutMs, 3000);
  });

  void test('shutdown_timeout as a float, as a unit string, and 0', () => {
    assert.equal(load('exec: app\nshutdown_timeout: 2.5\n').shutdownTimeoutMs, 2500);
    assert.equal(load('exec: app\nshutdown_timeout: 750ms\n').shutdownTimeoutMs, 750);
    assert.equal(load('exec: app\nshutdown_timeout: 0\n').shutdownTimeoutMs, 0);
  });

  void test('user and group by name go through the resolver', () => {
    const c = load('exec: app\nuser: redis\ngroup: redis\n', fakeIds);
    assert.equal(c.user, 'redis');
    assert.equal(c.uid, 999);
    assert.equal(c.group, 'redis');
    assert.equal(c.gid, 998);
  });

  void test('numeric ids are taken as they are, without asking the resolver', () => {
    let asked = 0;
    const counting: IdentityResolver = () => {
      asked += 1;
      return null;
    };
    const c = load('exec: app\nuser: 1000\ngroup: "100"\n', counting);
    assert.equal(c.uid, 1000);
    assert.equal(c.gid, 100);
    assert.equal(c.user, '1000');
    assert.equal(c.group, '100');
    assert.equal(asked, 0);
  });

  void test('uid 0 by name is a real id, not "unset"', () => {
    assert.equal(load('exec: app\nuser: root\n', fakeIds).uid, 0);
  });

  void test('without a resolver a name is kept and its id left null', () => {
    const c = load('exec: app\nuser: redis\n');
    assert.equal(c.user, 'redis');
    assert.equal(c.uid, null);
  });

  void test('post_stop and critical', () => {
    const c = load("exec: app\npost_stop: umount '/mnt/my data'\ncritical: true\n");
    assert.equal(c.postStop, "umount '/mnt/my data'");
    assert.deepEqual(c.postStopArgv, ['umount', '/mnt/my data']);
    assert.equal(c.critical, true);
  });

  void test('log: file with log_file and rotation', () => {
    const c = load('exec: app\nlog: file\nlog_file: /var/log/app.log\nlog_max_size: 1M\nlog_max_files: 3\n');
    assert.equal(c.log, 'file');
    assert.equal(c.logFile, '/var/log/app.log');
    assert.equal(c.logMaxSize, 1024 * 1024);
    assert.equal(c.logMaxFiles, 3);
  });

  void test('log_max_size in bytes, log_max_files 0', () => {
    const c = load('exec: app\nlog: file\nlog_file: /l\nlog_max_size: 4096\nlog_max_files: 0\n');
    assert.equal(c.logMaxSize, 4096);
    assert.equal(c.logMaxFiles, 0);
  });

  void test('a oneshot may set critical', () => {
    const c = load('exec: migrate\noneshot: true\ncritical: true\n');
    assert.equal(c.oneshot, true);
    assert.equal(c.critical, true);
  });

  void test('duplicate after entries collapse', () => {
    assert.deepEqual(load('exec: app\nafter: [db, cache, db]\n').after, ['db', 'cache']);
  });

  void test('service names with every allowed character', () => {
    assert.equal(load('exec: app', undefined, 'getty@tty1:x_y.z-9').name, 'getty@tty1:x_y.z-9');
  });
});
