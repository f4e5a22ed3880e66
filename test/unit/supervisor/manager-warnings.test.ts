// A service file's warnings (unknown keys): logged once per load, kept in the service's status until a load without them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceManager } from '../../../src/supervisor/manager.js';
import type { ConfigWarning, ServiceConfig } from '../../../src/config/types.js';
import type { Logger } from '../../../src/log/logger-types.js';
import { FakeClock, flush } from '../../helpers/fake-clock.js';
import { FakeOs } from '../../helpers/fake-os.js';
import { svc } from '../../helpers/service-config.js';

function setup() {
  const clock = new FakeClock();
  const os = new FakeOs();
  const warned: [string, unknown][] = [];
  const logger: Logger = { debug() {}, info() {}, warn: (msg, fields) => void warned.push([msg, fields?.service]), error() {} };
  const m = new ServiceManager({ proc: os, table: os, clock, logger, env: () => ({}), output: () => null, childEvents: os });
  return { clock, os, m, warned };
}

const byName = (configs: ServiceConfig[]): Map<string, ServiceConfig> => new Map(configs.map((c) => [c.name, c]));
const unknownKey = (service: string, key: string, line = 2): ConfigWarning => ({
  file: `/etc/zinit/${service}.yaml`,
  service,
  line,
  column: 1,
  message: `unknown key "${key}"`,
  code: 'unknown-key',
});

test('load: each warning is logged once, the service still starts, its status carries the warning', async () => {
  const { os, m, warned } = setup();
  m.load(byName([svc('web'), svc('db')]), [], [unknownKey('web', 'descripton'), unknownKey('web', 'tags', 3), unknownKey('gone', 'x')]);
  m.startAll();
  await flush();
  assert.equal(os.mains('web').length, 1, 'a warning does not stop a service from starting');
  assert.deepEqual(m.status('web').warnings, ['/etc/zinit/web.yaml:2:1: unknown key "descripton"', '/etc/zinit/web.yaml:3:1: unknown key "tags"']);
  assert.deepEqual(m.status('db').warnings, []);
  assert.deepEqual(warned, [
    ['service file warning: /etc/zinit/web.yaml:2:1: unknown key "descripton"', 'web'],
    ['service file warning: /etc/zinit/web.yaml:3:1: unknown key "tags"', 'web'],
    ['service file warning: /etc/zinit/gone.yaml:2:1: unknown key "x"', 'gone'],
  ], 'a skipped file\'s warnings are logged too');
  m.status('web');
  m.list();
  assert.equal(warned.length, 3, 'reading the status logs nothing again');
});

test('reload: warnings follow the files as read again, without restarting an unchanged service', async () => {
  const { clock, os, m, warned } = setup();
  m.load(byName([svc('web'), svc('db')]), [], [unknownKey('web', 'old')]);
  m.startAll();
  await flush();
  const pid = os.live('web')?.pid;
  const reloading = m.reload(byName([svc('web'), svc('db')]), [], [unknownKey('db', 'new')]);
  await clock.advance(0);
  const result = await reloading;
  assert.deepEqual([result.changed, result.added, result.removed], [[], [], []], 'a warning is not a change of the service');
  assert.equal(os.live('web')?.pid, pid);
  assert.deepEqual(m.status('web').warnings, [], 'the fixed file lost its warning');
  assert.deepEqual(m.status('db').warnings, ['/etc/zinit/db.yaml:2:1: unknown key "new"']);
  assert.deepEqual(warned.map(([msg]) => msg).slice(1), ['service file warning: /etc/zinit/db.yaml:2:1: unknown key "new"']);
});

test('reload: a service kept because its file no longer parses keeps the warnings it had', async () => {
  const { clock, m } = setup();
  m.load(byName([svc('web')]), [], [unknownKey('web', 'old')]);
  m.startAll();
  await flush();
  const reloading = m.reload(new Map(), [{ file: '/etc/zinit/web.yaml', service: 'web', line: 1, column: 1, message: 'exec is required' }], [unknownKey('web', 'newer')]);
  await clock.advance(0);
  await reloading;
  assert.deepEqual(m.status('web').warnings, ['/etc/zinit/web.yaml:2:1: unknown key "old"'], 'the running service is as it was loaded');
});

test('monitor takes the warnings of its file; forget drops them with the service', async () => {
  const { m } = setup();
  m.load(new Map(), []);
  m.monitor(svc('later'), [unknownKey('later', 'x')]);
  assert.deepEqual(m.status('later').warnings, ['/etc/zinit/later.yaml:2:1: unknown key "x"']);
  await m.stop('later');
  m.forget('later');
  m.monitor(svc('later'));
  assert.deepEqual(m.status('later').warnings, [], 'a new load without warnings has none');
});
