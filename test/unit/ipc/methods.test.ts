// Every error path of the control socket's methods answers with its code (and data), seen through the method table with a fake OS.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../../src/errors/codes.js';
import type { ParseResult } from '../../../src/config/parse-service.js';
import type { ConfigWarning, LoadResult } from '../../../src/config/types.js';
import { svc } from '../../helpers/service-config.js';
import { flush } from '../../helpers/fake-clock.js';
import { call, errorOf, methodHarness } from '../../helpers/method-harness.js';

const setup = methodHarness;

void describe('error paths of the methods', () => {
  void test('an unknown service is SERVICE_NOT_FOUND with the name as data, for every method that takes one', async () => {
    const { methods } = setup();
    for (const [method, params] of [
      ['service_status', ['ghost']],
      ['service_start', ['ghost']],
      ['service_stop', ['ghost']],
      ['service_restart', ['ghost']],
      ['service_forget', ['ghost']],
      ['service_kill', ['ghost', 'TERM']],
      ['service_stats', ['ghost']],
      ['service_tree', ['ghost']],
      ['stream_currentLogs', ['ghost', 'zinit-ts']],
      ['stream_subscribeLogs', { name: 'ghost', format: 'zinit-ts' }],
    ] as const) {
      const e = await errorOf(methods, method, params);
      assert.deepEqual(e, { code: ErrorCode.SERVICE_NOT_FOUND, message: 'service "ghost" is not known', data: { service: 'ghost' } }, method);
    }
  });

  void test('a running service is SERVICE_IS_UP for forget (start of it is a success, as in zinit); the message names no command', async () => {
    const { methods } = setup();
    assert.deepEqual(await call(methods, 'service_start', ['web']), { result: null });
    await flush();
    assert.deepEqual(await call(methods, 'service_start', ['web']), { result: null });
    const forget = await errorOf(methods, 'service_forget', ['web']);
    assert.deepEqual(forget, { code: ErrorCode.SERVICE_IS_UP, message: 'service "web" is not stopped', data: { service: 'web' } });
  });

  void test('a service with no process is SERVICE_IS_DOWN for kill and stats', async () => {
    const { methods } = setup();
    const kill = await errorOf(methods, 'service_kill', ['idle', 'HUP']);
    assert.deepEqual(kill, { code: ErrorCode.SERVICE_IS_DOWN, message: 'service "idle" has no running process to signal', data: { service: 'idle' } });
    const stats = await errorOf(methods, 'service_stats', ['idle']);
    assert.deepEqual(stats, { code: ErrorCode.SERVICE_IS_DOWN, message: 'service "idle" has no running process', data: { service: 'idle' } });
  });

  void test('a name that is not a signal is INVALID_SIGNAL', async () => {
    const { methods } = setup();
    const e = await errorOf(methods, 'service_kill', ['web', 'SIGNOPE']);
    assert.equal(e.code, ErrorCode.INVALID_SIGNAL);
    assert.deepEqual(e.data, { signal: 'SIGNOPE' });
  });

  void test('monitor: a loaded service is SERVICE_ALREADY_MONITORED, a file that does not load is CONFIG_ERROR', async () => {
    const bad: ParseResult = { config: null, errors: [{ service: 'broken', file: 'broken.yaml', line: 1, column: 1, message: 'exec: required' }], warnings: [] };
    const { methods } = setup({ loadService: () => Promise.resolve(bad) });
    const loaded = await errorOf(methods, 'service_monitor', ['web']);
    assert.deepEqual(loaded, { code: ErrorCode.SERVICE_ALREADY_MONITORED, message: 'service "web" is already monitored', data: { service: 'web' } });
    const broken = await errorOf(methods, 'service_monitor', ['broken']);
    assert.equal(broken.code, ErrorCode.CONFIG_ERROR);
    assert.match(broken.message, /exec: required/);
    assert.deepEqual(broken.data, { service: 'broken' });
  });

  void test('monitor refuses names zinit refuses ("/", "\\", ".") and names no file can have, with zinit\'s data', async () => {
    const loaded: string[] = [];
    const { methods } = setup({ loadService: (name) => (loaded.push(name), Promise.resolve({ config: null, errors: [], warnings: [] })) });
    for (const name of ['../etc/passwd', 'a\\b', 'a.b', '.hidden', '', 'a b']) {
      const e = await errorOf(methods, 'service_monitor', [name]);
      assert.equal(e.code, ErrorCode.INVALID_PARAMS, name);
      assert.equal(e.message, `monitoring service: invalid service name '${name}'`);
      assert.equal((e.data as { code_name: string }).code_name, 'InvalidServiceName');
    }
    assert.deepEqual(loaded, [], 'no file was looked for');
  });

  void test('monitor of a new file loads and starts it', async () => {
    const { methods, manager } = setup();
    assert.deepEqual(await call(methods, 'service_monitor', ['extra']), { result: null });
    assert.equal(manager.has('extra'), true);
  });

  void test('a file with an unknown key is monitored and reloaded with its warning in service_status; a fixed file clears it', async () => {
    const warning = (service: string): ConfigWarning => ({ service, file: `/etc/zinit/${service}.yaml`, line: 2, column: 1, message: 'unknown key "descripton"; did you mean name?', code: 'unknown-key' });
    let reloaded: LoadResult = { services: new Map(['web', 'idle', 'extra'].map((n) => [n, svc(n)])), errors: [], warnings: [warning('web')] };
    const { methods } = setup({
      loadService: (name) => Promise.resolve({ config: svc(name), errors: [], warnings: [warning(name)] }),
      loadConfig: () => Promise.resolve(reloaded),
    });
    const text = '/etc/zinit/extra.yaml:2:1: unknown key "descripton"; did you mean name?';
    assert.deepEqual(await call(methods, 'service_monitor', ['extra']), { result: null });
    const status = (await call(methods, 'service_status', ['extra'])) as { result: { warnings: string[] } };
    assert.deepEqual(status.result.warnings, [text]);
    assert.deepEqual(((await call(methods, 'service_status', ['idle'])) as { result: { warnings: string[] } }).result.warnings, []);

    await call(methods, 'system_reload', []);
    const statuses = (await call(methods, 'service_statuses', [])) as { result: { name: string; warnings: string[] }[] };
    assert.deepEqual(statuses.result.map((x) => [x.name, x.warnings]), [['extra', []], ['idle', []], ['web', [text.replaceAll('extra', 'web')]]], 'each as its file was read again');
    reloaded = { ...reloaded, warnings: [] };
    await call(methods, 'system_reload', []);
    assert.deepEqual(((await call(methods, 'service_status', ['web'])) as { result: { warnings: string[] } }).result.warnings, [], 'the warning went with the key');
  });

  void test('service_statuses with a name answers that one only; an unknown name is SERVICE_NOT_FOUND', async () => {
    const { methods } = setup();
    const all = (await call(methods, 'service_statuses', [])) as { result: { name: string }[] };
    assert.ok(all.result.length >= 2, 'every service without a name');
    const one = (await call(methods, 'service_statuses', ['idle'])) as { result: { name: string; state: string }[] };
    assert.deepEqual(
      one.result,
      all.result.filter((x) => x.name === 'idle'),
    );
    assert.deepEqual(((await call(methods, 'service_statuses', { name: 'web' })) as { result: { name: string }[] }).result.map((x) => x.name), ['web']);
    const e = await errorOf(methods, 'service_statuses', ['nonesuch']);
    assert.equal(e.code, ErrorCode.SERVICE_NOT_FOUND);
  });

  void test('during shutdown, start, restart, monitor, reload and run are SHUTTING_DOWN', async () => {
    const { methods, manager } = setup();
    void manager.shutdown();
    for (const [method, params] of [
      ['service_start', ['idle']],
      ['service_restart', ['idle']],
      ['service_monitor', ['extra']],
      ['system_reload', []],
      ['system_run', [['true']]],
    ] as const) {
      const e = await errorOf(methods, method, params);
      assert.deepEqual(e, { code: ErrorCode.SHUTTING_DOWN, message: 'zinit-ts is shutting down' }, method);
    }
  });

  void test('run: an empty argv and bad options are INVALID_PARAMS', async () => {
    const { methods } = setup();
    for (const params of [[[]], [['true'], { timeout: 0 }], [['true'], { env: { A: 1 } }], [['true'], { dir: 3 }]]) {
      assert.equal((await errorOf(methods, 'system_run', params)).code, ErrorCode.INVALID_PARAMS, JSON.stringify(params));
    }
  });

  void test('too many log followers is TOO_MANY_STREAMS with the cap as data', async () => {
    const { methods } = setup({ maxFollowers: 1 });
    assert.ok('result' in (await call(methods, 'stream_subscribeLogs', [])));
    const e = await errorOf(methods, 'stream_subscribeLogs', []);
    assert.equal(e.code, ErrorCode.TOO_MANY_STREAMS);
    assert.deepEqual(e.data, { maxFollowers: 1 });
  });

  void test('request errors: unknown method, wrong params, params to a method that takes none', async () => {
    const { methods } = setup();
    assert.equal((await errorOf(methods, 'service_lst')).code, ErrorCode.METHOD_NOT_FOUND);
    assert.equal((await errorOf(methods, 'service_status', [])).code, ErrorCode.INVALID_PARAMS);
    assert.equal((await errorOf(methods, 'service_status', [7])).code, ErrorCode.INVALID_PARAMS);
    assert.equal((await errorOf(methods, 'service_list', ['x'])).code, ErrorCode.INVALID_PARAMS);
  });

  void test('each error a method answers with is among the errors the table declares for it', async () => {
    const { methods, manager, files } = setup();
    const seen: [string, number][] = [];
    const record = async (method: string, params?: unknown): Promise<void> => {
      const answer = await call(methods, method, params);
      if ('error' in answer) seen.push([method, answer.error.code]);
    };
    for (const method of ['service_status', 'service_start', 'service_stop', 'service_forget', 'service_stats', 'service_tree', 'service_get', 'service_delete']) await record(method, ['ghost']);
    await record('stream_currentLogs', ['ghost', 'zinit-ts']);
    await record('stream_subscribeLogs', ['ghost', null, 'zinit-ts']);
    await record('stream_currentLogs', ['ghost', 'json']);
    await record('service_create', ['a.b', { exec: 'x' }]);
    await record('service_create', ['web', { exec: 'x' }]);
    await record('service_create', ['web', { exec: 'x' }]);
    files.problems = (name) => [{ file: `${name}.yaml`, service: name, line: 1, column: 1, message: 'exec is required' }];
    await record('service_create', ['new', {}]);
    files.failure = 'read-only file system';
    await record('service_create', ['other', { exec: 'x' }]);
    await record('service_get', ['web']);
    await record('stream_unsubscribeLogs', ['x']);
    await record('service_kill', ['idle', 'NOPE']);
    await record('service_kill', ['idle', 'HUP']);
    await record('service_monitor', ['web']);
    await record('system_run', [[]]);
    void manager.shutdown();
    for (const method of ['service_start', 'service_restart']) await record(method, ['idle']);
    await record('system_reload');
    assert.ok(seen.length >= 20, `${seen.length} errors seen`);
    for (const [method, code] of seen) assert.ok(methods[method]?.errors?.includes(code), `${method} answers ${code} but does not declare it`);
  });
});
