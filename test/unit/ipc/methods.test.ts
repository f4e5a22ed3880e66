// Every error path of the control socket's methods answers with its code (and data), seen through the method table with a fake OS.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceManager } from '../../../src/supervisor/manager.js';
import { TransientRuns } from '../../../src/supervisor/transient-runs.js';
import { LogStore } from '../../../src/log/log-store.js';
import { LogFanout } from '../../../src/ipc/log-fanout.js';
import { buildMethods, type HandlerDeps } from '../../../src/ipc/handlers.js';
import { ErrorCode } from '../../../src/errors/codes.js';
import { RpcError } from '../../../src/errors/errors.js';
import { checkRequest } from '../../../src/ipc/request-check.js';
import type { MethodTable } from '../../../src/ipc/method-table.js';
import type { ParseResult } from '../../../src/config/parse-service.js';
import { FakeClock, flush } from '../../helpers/fake-clock.js';
import { FakeOs } from '../../helpers/fake-os.js';
import { fakeContext } from '../../helpers/fake-rpc-context.js';
import { quietLogger, svc } from '../../helpers/service-config.js';

function setup(options: { loadService?: (name: string) => Promise<ParseResult>; maxFollowers?: number } = {}) {
  const clock = new FakeClock();
  const os = new FakeOs();
  const manager = new ServiceManager({ proc: os, table: os, clock, logger: quietLogger, env: () => ({}), output: () => null, childEvents: os });
  manager.load(new Map([['web', svc('web')], ['idle', svc('idle')]]), []);
  const logs = new LogStore({ capacityPerService: 10 });
  const deps: HandlerDeps = {
    manager,
    logs,
    followers: new LogFanout(logs, options.maxFollowers === undefined ? {} : { maxFollowers: options.maxFollowers }),
    table: os,
    transientRuns: new TransientRuns({ proc: os, table: os, clock, logger: quietLogger, env: () => ({}) }),
    version: '0.0.0-test',
    loadConfig: () => Promise.resolve({ services: new Map(), errors: [] }),
    loadService: options.loadService ?? ((name) => Promise.resolve({ config: svc(name), errors: [] })),
    requestShutdown: () => new Promise(() => undefined),
    commandLine: () => [],
    http: { start: () => Promise.reject(new Error('no HTTP in these tests')), stop: () => Promise.reject(new Error('no HTTP in these tests')) },
  };
  return { os, manager, methods: buildMethods(deps) };
}

type Answer = { result: unknown } | { error: { code: number; message: string; data?: unknown } };

/** Runs a request as the server does: checks, then the handler; an RpcError becomes the error answer. */
async function call(methods: MethodTable, method: string, params?: unknown): Promise<Answer> {
  const checked = checkRequest({ jsonrpc: '2.0', id: 1, method, ...(params === undefined ? {} : { params }) }, methods);
  if (!checked.ok) return { error: checked.error.toJSON() };
  try {
    return { result: await checked.spec.handler(checked.params, fakeContext()) };
  } catch (err) {
    if (err instanceof RpcError) return { error: err.toJSON() };
    throw err;
  }
}

async function errorOf(methods: MethodTable, method: string, params?: unknown): Promise<{ code: number; message: string; data?: unknown }> {
  const answer = await call(methods, method, params);
  assert.ok('error' in answer, `${method} answered ${JSON.stringify(answer)}`);
  return answer.error;
}

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
      ['stream_currentLogs', ['ghost']],
      ['stream_subscribeLogs', ['ghost']],
    ] as const) {
      const e = await errorOf(methods, method, params);
      assert.deepEqual(e, { code: ErrorCode.SERVICE_NOT_FOUND, message: 'service "ghost" is not known', data: { service: 'ghost' } }, method);
    }
  });

  void test('a running service is SERVICE_IS_UP for start and forget; the message names no command', async () => {
    const { methods } = setup();
    assert.deepEqual(await call(methods, 'service_start', ['web']), { result: null });
    await flush();
    const again = await errorOf(methods, 'service_start', ['web']);
    assert.deepEqual(again, { code: ErrorCode.SERVICE_IS_UP, message: 'service "web" is already running', data: { service: 'web' } });
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
    const bad: ParseResult = { config: null, errors: [{ service: 'broken', file: 'broken.yaml', line: 1, column: 1, message: 'exec: required' }] };
    const { methods } = setup({ loadService: () => Promise.resolve(bad) });
    const loaded = await errorOf(methods, 'service_monitor', ['web']);
    assert.deepEqual(loaded, { code: ErrorCode.SERVICE_ALREADY_MONITORED, message: 'service "web" is already monitored', data: { service: 'web' } });
    const broken = await errorOf(methods, 'service_monitor', ['broken']);
    assert.equal(broken.code, ErrorCode.CONFIG_ERROR);
    assert.match(broken.message, /exec: required/);
    assert.deepEqual(broken.data, { service: 'broken' });
  });

  void test('monitor of a new file loads and starts it', async () => {
    const { methods, manager } = setup();
    assert.deepEqual(await call(methods, 'service_monitor', ['extra']), { result: null });
    assert.equal(manager.has('extra'), true);
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
    const { methods, manager } = setup();
    const seen: [string, number][] = [];
    const record = async (method: string, params?: unknown): Promise<void> => {
      const answer = await call(methods, method, params);
      if ('error' in answer) seen.push([method, answer.error.code]);
    };
    for (const method of ['service_status', 'service_start', 'service_stop', 'service_forget', 'service_stats', 'service_tree', 'stream_currentLogs', 'stream_subscribeLogs']) await record(method, ['ghost']);
    await record('service_kill', ['idle', 'NOPE']);
    await record('service_kill', ['idle', 'HUP']);
    await record('service_monitor', ['web']);
    await record('system_run', [[]]);
    void manager.shutdown();
    for (const method of ['service_start', 'service_restart']) await record(method, ['idle']);
    await record('system_reload');
    assert.ok(seen.length >= 14);
    for (const [method, code] of seen) assert.ok(methods[method]?.errors?.includes(code), `${method} answers ${code} but does not declare it`);
  });
});
