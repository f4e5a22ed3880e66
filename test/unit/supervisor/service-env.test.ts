// The environment rule: what a service without user inherits, what one with user gets, and which source wins.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PATH, serviceEnvironment, type EnvironmentSources } from '../../../src/supervisor/service-env.js';
import { svc } from '../../helpers/service-config.js';

const sources: EnvironmentSources = {
  daemon: { PATH: '/opt/app/bin:/usr/bin', HOME: '/root', AWS_SECRET_ACCESS_KEY: 'secret', PASSME: 'from-daemon', SHARED: 'daemon' },
  system: { LANG: 'C.UTF-8', SHARED: 'system', PATH: '/etc-env/bin' },
  account: { name: 'nobody', home: '/nonexistent', shell: '/usr/sbin/nologin' },
  tag: { ZINIT_TS_SERVICE: 'svc', ZINIT_TS_INSTANCE: 'i-1', ZINIT_TS_SOCKET: '/run/z.sock' },
};

void describe('serviceEnvironment', () => {
  void test('without user, as zinit: the daemon environment, then /etc/environment, then env, then the tag', () => {
    const env = serviceEnvironment(svc('svc', { env: { SHARED: 'env', ZINIT_TS_SERVICE: 'forged' } }), sources);
    assert.deepEqual(env, {
      PATH: '/etc-env/bin',
      HOME: '/root',
      AWS_SECRET_ACCESS_KEY: 'secret',
      PASSME: 'from-daemon',
      SHARED: 'env',
      LANG: 'C.UTF-8',
      ZINIT_TS_SERVICE: 'svc',
      ZINIT_TS_INSTANCE: 'i-1',
      ZINIT_TS_SOCKET: '/run/z.sock',
    });
  });

  void test('without user: /etc/environment wins over the daemon, env over both', () => {
    const without = serviceEnvironment(svc('svc'), sources);
    assert.deepEqual([without.SHARED, without.PATH, without.HOME], ['system', '/etc-env/bin', '/root']);
    const withEnv = serviceEnvironment(svc('svc', { env: { PATH: '/mine', SHARED: 'mine' } }), sources);
    assert.deepEqual([withEnv.SHARED, withEnv.PATH], ['mine', '/mine']);
    const noFile = serviceEnvironment(svc('svc'), { ...sources, system: {} });
    assert.deepEqual([noFile.SHARED, noFile.PATH], ['daemon', '/opt/app/bin:/usr/bin'], 'no file: the daemon environment as it is');
  });

  void test('with user: the account, /etc/environment, the named daemon variables, env, the tag; nothing else of the daemon', () => {
    const env = serviceEnvironment(svc('svc', { user: 'nobody', uid: 65534, passEnv: ['PASSME', 'NOT_SET'], env: { APP: '1' } }), sources);
    assert.deepEqual(env, {
      PATH: '/etc-env/bin',
      HOME: '/nonexistent',
      USER: 'nobody',
      LOGNAME: 'nobody',
      SHELL: '/usr/sbin/nologin',
      LANG: 'C.UTF-8',
      SHARED: 'system',
      PASSME: 'from-daemon',
      APP: '1',
      ZINIT_TS_SERVICE: 'svc',
      ZINIT_TS_INSTANCE: 'i-1',
      ZINIT_TS_SOCKET: '/run/z.sock',
    });
    assert.equal('AWS_SECRET_ACCESS_KEY' in env, false);
    assert.equal('NOT_SET' in env, false, 'a name the daemon does not have is not set');
  });

  void test('with user and no /etc/environment PATH: the default PATH', () => {
    const env = serviceEnvironment(svc('svc', { user: 'nobody', uid: 65534 }), { ...sources, system: {} });
    assert.equal(env.PATH, DEFAULT_PATH);
  });

  void test('env wins over pass_env, as Environment= over PassEnvironment=; pass_env over /etc/environment', () => {
    const both = serviceEnvironment(svc('svc', { user: 'nobody', uid: 65534, passEnv: ['PASSME', 'SHARED'], env: { PASSME: 'from-env' } }), sources);
    assert.equal(both.PASSME, 'from-env');
    assert.equal(both.SHARED, 'daemon');
  });

  void test('a uid without a passwd entry: USER is the user as written, HOME / and SHELL /bin/sh', () => {
    const env = serviceEnvironment(svc('svc', { user: '4242', uid: 4242 }), { ...sources, account: null });
    assert.deepEqual([env.USER, env.LOGNAME, env.HOME, env.SHELL], ['4242', '4242', '/', '/bin/sh']);
  });

  void test('a variable named __proto__ is kept like any other', () => {
    const env = serviceEnvironment(svc('svc', { user: 'nobody', uid: 65534, passEnv: ['__proto__'] }), { ...sources, daemon: JSON.parse('{"__proto__": "x"}') as Record<string, string> });
    assert.equal(Object.getOwnPropertyDescriptor(env, '__proto__')?.value, 'x');
  });
});
