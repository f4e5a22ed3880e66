// zinit's methods answer as zinit 0.2.28 does (state strings, nulls, log lines, file methods), and zinit-ts's forms stay behind their opt-ins.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../../src/errors/codes.js';
import { zinitState } from '../../../src/ipc/zinit-state.js';
import { zinitStats } from '../../../src/ipc/methods/service-stats.js';
import type { TrackedProcess } from '../../../src/supervisor/ports.js';
import { flush } from '../../helpers/fake-clock.js';
import { fakeContext } from '../../helpers/fake-rpc-context.js';
import { errorOf, methodHarness, resultOf } from '../../helpers/method-harness.js';
import { svc } from '../../helpers/service-config.js';
import { waitFor } from '../../helpers/wait-for.js';

const ZINIT_HINT = "Name must not contain '/', '\\\\' or '.'";

void describe('zinitState: Rust Debug form of zinit\'s state', () => {
  void test('an error carries the wait status of the process that ended, with its pid', () => {
    assert.equal(zinitState('Error', { pid: 4242, code: 3, signal: null }), 'Error(Exited(Pid(4242), 3))');
    assert.equal(zinitState('Error', { pid: 7, code: null, signal: 'SIGTERM' }), 'Error(Signaled(Pid(7), SIGTERM, false))');
    assert.equal(zinitState('Error', { pid: 7, code: null, signal: 'SIGKILL' }), 'Error(Signaled(Pid(7), SIGKILL, false))');
  });

  void test('every other state is its word, whatever the last exit', () => {
    for (const state of ['Unknown', 'Blocked', 'Spawned', 'Running', 'Success', 'TestFailure', 'Failure'] as const) {
      assert.equal(zinitState(state, { pid: 1, code: 3, signal: null }), state);
    }
    assert.equal(zinitState('Error', null), 'Error');
  });
});

void describe('service_list, service_status, service_statuses', () => {
  void test('list and status word an error as zinit; statuses keeps the plain word and the exit', async () => {
    const { methods, manager, os } = methodHarness({ services: [svc('web'), svc('app', { after: ['web'] }), svc('sig')] });
    manager.startAll();
    await flush();
    const web = os.live('web');
    const sig = os.live('sig');
    assert.ok(web && sig);
    web.exit({ code: 3, signal: null });
    sig.exit({ code: null, signal: 'SIGTERM' });
    await flush();
    const list = (await resultOf(methods, 'service_list')) as Record<string, string>;
    assert.equal(list.web, `Error(Exited(Pid(${web.pid}), 3))`);
    assert.equal(list.sig, `Error(Signaled(Pid(${sig.pid}), SIGTERM, false))`);
    const status = (await resultOf(methods, 'service_status', ['app'])) as { state: string; after: Record<string, string>; pid: number };
    assert.deepEqual(status.after, { web: `Error(Exited(Pid(${web.pid}), 3))` }, 'a dependency\'s state too');
    assert.equal((await resultOf(methods, 'service_status', { name: 'web' }) as { state: string }).state, `Error(Exited(Pid(${web.pid}), 3))`);
    const statuses = (await resultOf(methods, 'service_statuses')) as { name: string; state: string; after: Record<string, string>; exit: unknown }[];
    const plain = statuses.find((s) => s.name === 'web');
    assert.equal(plain?.state, 'Error');
    assert.deepEqual(plain?.exit, { code: 3, signal: null }, 'the exit as zinit-ts gives it: code and signal');
    assert.deepEqual(statuses.find((s) => s.name === 'app')?.after, { web: 'Error' });
  });

  void test('a dependency that is not loaded is Unknown, as zinit says', async () => {
    const { methods } = methodHarness({ services: [svc('app', { after: ['gone'] })] });
    assert.deepEqual(((await resultOf(methods, 'service_status', ['app'])) as { after: unknown }).after, { gone: 'Unknown' });
  });
});

void describe('service_start and service_stop', () => {
  void test('start of a service that is up answers null and spawns nothing more', async () => {
    const { methods, os } = methodHarness();
    assert.equal(await resultOf(methods, 'service_start', ['web']), null);
    await flush();
    assert.equal(await resultOf(methods, 'service_start', ['web']), null);
    await flush();
    assert.equal(os.mains('web').length, 1);
  });

  void test('stop answers null; with report the stop report, or null when nothing ran', async () => {
    const { methods, manager } = methodHarness();
    manager.startAll();
    await flush();
    assert.equal(await resultOf(methods, 'service_stop', ['web']), null);
    manager.start('idle');
    await flush();
    const report = (await resultOf(methods, 'service_stop', { name: 'idle', report: true })) as Record<string, unknown>;
    assert.deepEqual(Object.keys(report).sort(), ['descendants', 'durationMs', 'sigkill', 'signal']);
    assert.equal(report.signal, 'SIGTERM');
    assert.equal(await resultOf(methods, 'service_stop', ['idle', true]), null, 'nothing ran any more');
  });
});

void describe('service_stats figures', () => {
  const proc = (pid: number, underMain: boolean, escaped = false): TrackedProcess => ({ pid, startTime: 1, ppid: 1, pgrp: 10, session: 10, comm: 'x', state: 'S', escaped, underMain });
  const usage = {
    cpuPercent: 60,
    memoryBytes: 7000,
    processes: 4,
    perProcess: [
      { pid: 10, cpuPercent: 10, memoryBytes: 1000 },
      { pid: 11, cpuPercent: 20, memoryBytes: 2000 },
      { pid: 12, cpuPercent: 30, memoryBytes: 3000 },
      { pid: 13, cpuPercent: 0, memoryBytes: 1000 },
    ],
  };

  void test('the main process\'s own figures; children are its descendants only; tree totals every process', () => {
    const stats = zinitStats('web', 10, [proc(10, true), proc(11, true), proc(12, true), proc(13, false, true)], usage);
    assert.deepEqual(stats, {
      name: 'web',
      pid: 10,
      memory_usage: 1000,
      cpu_usage: 10,
      children: [
        { pid: 11, memory_usage: 2000, cpu_usage: 20 },
        { pid: 12, memory_usage: 3000, cpu_usage: 30 },
      ],
      tree: { cpuPercent: 60, memoryBytes: 7000, processes: 4 },
    });
  });

  void test('main process gone, processes left: pid 0, no figures of its own, the rest in tree', () => {
    const stats = zinitStats('web', null, [proc(13, false, true)], { ...usage, perProcess: [{ pid: 13, cpuPercent: 0, memoryBytes: 1000 }], processes: 1 });
    assert.equal(stats.pid, 0);
    assert.equal(stats.memory_usage, 0);
    assert.deepEqual(stats.children, []);
    assert.equal(stats.tree.processes, 1);
  });
});

void describe('service_create, service_get, service_delete', () => {
  void test('create writes the file and answers zinit\'s sentence; it never loads or starts the service', async () => {
    const { methods, files, manager, os } = methodHarness();
    assert.equal(await resultOf(methods, 'service_create', ['db', { exec: 'redis-server', after: ['web'] }]), "Service 'db' created successfully");
    assert.deepEqual(JSON.parse(files.files.get('db') ?? ''), { exec: 'redis-server', after: ['web'] });
    await flush();
    assert.equal(manager.has('db'), false);
    assert.equal(os.mains('db').length, 0);
    assert.deepEqual(await resultOf(methods, 'service_get', ['db']), { exec: 'redis-server', after: ['web'] });
    assert.equal(await resultOf(methods, 'service_delete', { name: 'db' }), "Service 'db' deleted successfully");
    assert.equal(files.files.has('db'), false);
  });

  void test('create over an existing file is SERVICE_ALREADY_EXISTS (-32007), checked before the content and again at the write', async () => {
    const { methods, files } = methodHarness();
    files.files.set('db', '{"exec":"a"}');
    const e = await errorOf(methods, 'service_create', ['db', { exec: 'b' }]);
    assert.deepEqual(e, {
      code: -32007,
      message: "creating service: Service 'db' already exists",
      data: { code_name: 'ServiceAlreadyExists', action: 'creating service file', service: 'db', hint: 'Use a different name or delete the existing service first' },
    });
    assert.deepEqual(files.rendered, [], 'the content was not even checked');
    assert.equal(files.files.get('db'), '{"exec":"a"}');
    files.racedBy = 'late';
    assert.equal((await errorOf(methods, 'service_create', ['late', { exec: 'b' }])).code, ErrorCode.SERVICE_ALREADY_EXISTS);
    assert.equal(files.files.get('late'), '{"exec":"other"}', 'the file that got there first is kept');
  });

  void test('invalid content is CONFIG_ERROR with each problem, file:line, in data.errors; nothing is written', async () => {
    const { methods, files } = methodHarness();
    files.problems = (name, content) =>
      'exec' in content ? [] : [{ file: `/etc/zinit/${name}.yaml`, service: name, line: 1, column: 1, message: 'exec is required; give the command to run' }];
    const e = await errorOf(methods, 'service_create', ['db', { after: ['web'] }]);
    assert.equal(e.code, ErrorCode.CONFIG_ERROR);
    assert.match(e.message, /^creating service: 'db' is not a valid service; nothing was written:\n\/etc\/zinit\/db\.yaml:1:1: exec is required/);
    assert.deepEqual((e.data as { errors: string[] }).errors, ['/etc/zinit/db.yaml:1:1: exec is required; give the command to run']);
    assert.equal((e.data as { code_name: string }).code_name, 'ConfigError');
    assert.equal(files.files.has('db'), false);
  });

  void test('content must be an object; unknown named params beside it are ignored', async () => {
    const { methods } = methodHarness();
    assert.equal((await errorOf(methods, 'service_create', ['db', 'exec: x'])).code, ErrorCode.INVALID_PARAMS);
    assert.equal((await errorOf(methods, 'service_create', ['db'])).code, ErrorCode.INVALID_PARAMS);
    assert.equal(await resultOf(methods, 'service_create', { name: 'db', content: { exec: 'x' }, start: true }), "Service 'db' created successfully");
  });

  void test('names with "/", "\\" or "." are INVALID_PARAMS with zinit\'s data, for create, get and delete', async () => {
    const { methods, files } = methodHarness();
    const cases = [
      ['service_create', 'creating service'],
      ['service_get', 'getting service'],
      ['service_delete', 'deleting service'],
    ] as const;
    for (const [method, action] of cases) {
      for (const name of ['../x', 'a\\b', 'x.yaml']) {
        const e = await errorOf(methods, method, method === 'service_create' ? [name, { exec: 'x' }] : [name]);
        assert.deepEqual(e, { code: -32602, message: `${action}: invalid service name '${name}'`, data: { code_name: 'InvalidServiceName', action, service: name, hint: ZINIT_HINT } }, `${method} ${name}`);
      }
      const blank = await errorOf(methods, method, method === 'service_create' ? ['', { exec: 'x' }] : ['']);
      assert.equal(blank.code, -32602, `${method} of an empty name`);
      assert.match((blank.data as { hint: string }).hint, /letters, digits/);
    }
    assert.equal(files.files.size, 0);
  });

  void test('get and delete of a name with no file are SERVICE_NOT_FOUND in zinit\'s words, a loaded service included', async () => {
    const { methods } = methodHarness();
    assert.deepEqual(await errorOf(methods, 'service_get', ['web']), {
      code: -32000,
      message: "getting service: Service 'web' not found",
      data: { code_name: 'ServiceNotFound', action: 'reading service file', service: 'web', hint: 'Ensure the service file exists' },
    });
    assert.deepEqual(await errorOf(methods, 'service_delete', ['web']), {
      code: -32000,
      message: "deleting service: Service 'web' not found",
      data: { code_name: 'ServiceNotFound', action: 'deleting service file', service: 'web', hint: 'Ensure the service file exists' },
    });
  });

  void test('a file that is not YAML is CONFIG_ERROR for get; a refused read, write or removal is SERVICE_FILE_ERROR', async () => {
    const { methods, files } = methodHarness();
    files.files.set('bad', 'exec: [');
    const e = await errorOf(methods, 'service_get', ['bad']);
    assert.equal(e.code, ErrorCode.CONFIG_ERROR);
    assert.equal(e.message, 'getting service: failed to parse YAML: bad.yaml:1:1: not YAML');
    files.failure = '/etc/zinit/x.yaml: the config directory is on a read-only file system';
    const create = await errorOf(methods, 'service_create', ['x', { exec: 'x' }]);
    assert.equal(create.code, ErrorCode.SERVICE_FILE_ERROR);
    assert.equal(create.message, 'creating service file: failed to create service file: /etc/zinit/x.yaml: the config directory is on a read-only file system');
    assert.deepEqual(create.data, { code_name: 'ServiceFileError', action: 'creating service file', service: 'x', hint: 'Check permissions and filesystem availability' });
    assert.equal((await errorOf(methods, 'service_get', ['bad'])).code, ErrorCode.SERVICE_FILE_ERROR);
    assert.equal((await errorOf(methods, 'service_delete', ['bad'])).code, ErrorCode.SERVICE_FILE_ERROR);
  });
});

void describe('log methods', () => {
  async function withLines() {
    const h = methodHarness();
    h.manager.start('web');
    await flush();
    h.logs.append('web', 'stdout', 'listening');
    h.logs.append('web', 'stderr', 'warned');
    return h;
  }

  void test('currentLogs gives zinit\'s lines by default, the spawn marked; zinit-ts\'s form on request, without the mark', async () => {
    const { methods } = await withLines();
    assert.deepEqual(await resultOf(methods, 'stream_currentLogs', ['web']), ['[-] web: ------------ [start] ------------', '[+] web: listening', '[-] web: warned']);
    assert.deepEqual(await resultOf(methods, 'stream_currentLogs'), ['[-] web: ------------ [start] ------------', '[+] web: listening', '[-] web: warned']);
    const ts = (await resultOf(methods, 'stream_currentLogs', { name: 'web', format: 'zinit-ts' })) as string[];
    assert.equal(ts.length, 2);
    assert.match(ts[0] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[web\] stdout: listening$/);
    assert.match(ts[1] ?? '', /\[web\] stderr: warned$/);
  });

  void test('currentLogs of an unknown name is [] (zinit), SERVICE_NOT_FOUND with format zinit-ts; another format is INVALID_PARAMS', async () => {
    const { methods } = await withLines();
    assert.deepEqual(await resultOf(methods, 'stream_currentLogs', ['ghost']), []);
    assert.equal((await errorOf(methods, 'stream_currentLogs', ['ghost', 'zinit-ts'])).code, ErrorCode.SERVICE_NOT_FOUND);
    const bad = await errorOf(methods, 'stream_currentLogs', { format: 'json' });
    assert.equal(bad.code, ErrorCode.INVALID_PARAMS);
    assert.equal(bad.message, 'invalid params for stream_currentLogs: "format" must be "zinit" or "zinit-ts", got "json"');
  });

  void test('subscribeLogs takes zinit\'s filter (or name) and sends zinit\'s lines; unsubscribe ends it, true once, then false', async () => {
    const { methods, logs } = await withLines();
    const ctx = fakeContext();
    const id = (await resultOf(methods, 'stream_subscribeLogs', { filter: 'web' }, ctx)) as number;
    const byName = (await resultOf(methods, 'stream_subscribeLogs', { name: 'web', format: 'zinit-ts' }, ctx)) as number;
    const ghost = (await resultOf(methods, 'stream_subscribeLogs', ['ghost'], ctx)) as number;
    assert.equal(ctx.openStreams, 3);
    logs.append('idle', 'stdout', 'not for these');
    logs.append('web', 'stdout', 'fresh');
    await waitFor(() => ctx.received.length === 2, 2000, 'the fresh line to both web followers');
    const bySub = (sub: number): unknown[] => ctx.received.filter((m) => m.params.subscription === sub).map((m) => m.params.result);
    assert.deepEqual(bySub(id), ['[+] web: fresh']);
    assert.match(String(bySub(byName)[0]), /\[web\] stdout: fresh$/);
    assert.deepEqual(bySub(ghost), []);
    assert.equal(await resultOf(methods, 'stream_unsubscribeLogs', [id], ctx), true);
    assert.equal(await resultOf(methods, 'stream_unsubscribeLogs', [id], ctx), false);
    assert.equal(await resultOf(methods, 'stream_unsubscribeLogs', [byName], fakeContext()), false, 'another connection cannot end it');
    assert.equal(ctx.openStreams, 2);
    logs.append('web', 'stdout', 'after');
    await waitFor(() => bySub(byName).length === 2, 2000, 'the next line to the remaining follower');
    assert.deepEqual(bySub(id), ['[+] web: fresh'], 'the ended one got nothing more');
    assert.equal((await errorOf(methods, 'stream_unsubscribeLogs', ['7'])).code, ErrorCode.INVALID_PARAMS);
  });
});
