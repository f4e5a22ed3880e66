// zinit's methods over the real socket, asked as zinit's clients ask (no newline, pipelined, positional or named), answered exactly as zinit answers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { API, type MethodName } from '../../../src/ipc/api.js';
import { startDaemon, tempDir, type DaemonHandle } from '../../helpers/daemon.js';
import { isAlive } from '../../helpers/proc.js';
import { RawConnection, type RawMessage } from '../../helpers/raw-connection.js';
import { waitFor } from '../../helpers/wait-for.js';

const MARK = '------------ [start] ------------';

let d: DaemonHandle;
let c: RawConnection;
let dir: string;
let nextId = 0;
const ajv = new Ajv({ allErrors: true });
const validators = new Map<string, ValidateFunction>();

before(async () => {
  dir = tempDir();
  d = await startDaemon(
    {
      up: "exec: sh -c 'echo up and about; exec sleep 1000'\n",
      family: "exec: sh -c 'sleep 1000 & sleep 1000 & wait'\n",
      crash: `exec: sh -c 'echo $$ > ${dir}/crash.pid; echo bad >&2; exit 3'\nrestart_delay: 60\nrestart_max_delay: 60\n`,
      victim: 'exec: sleep 1000\nrestart_delay: 60\nrestart_max_delay: 60\n',
      flap: "exec: sh -c 'echo hello; exit 1'\nrestart_delay: 0.1\n",
    },
    [],
    { dir },
  );
  c = await RawConnection.open(d.socket);
});
after(async () => {
  c.close();
  await d.cleanup();
});

/** The answer's result, checked against the schema the method declares (the one rpc.discover shows). */
function checked(method: MethodName, m: RawMessage): unknown {
  assert.equal(m.error, undefined, `${method} failed: ${JSON.stringify(m.error)}`);
  let validate = validators.get(method);
  if (validate === undefined) {
    validate = ajv.compile(API[method].result.schema.json);
    validators.set(method, validate);
  }
  assert.ok(validate(m.result), `${method}'s result ${JSON.stringify(m.result)} fits its schema: ${ajv.errorsText(validate.errors)}`);
  return m.result;
}

async function result(method: MethodName, params?: unknown): Promise<unknown> {
  nextId += 1;
  return checked(method, await c.request(nextId, method, params));
}

async function failure(method: MethodName, params?: unknown): Promise<NonNullable<RawMessage['error']>> {
  nextId += 1;
  const m = await c.request(nextId, method, params);
  assert.ok(m.error !== undefined, `${method} answered ${JSON.stringify(m.result)}`);
  return m.error;
}

async function statusOf(name: string): Promise<{ name: string; pid: number; state: string; target: string; after: Record<string, string>; exit: unknown }> {
  return (await result('service_status', [name])) as never;
}

function waitRunning(name: string): Promise<{ pid: number }> {
  return waitFor(async () => {
    const s = await statusOf(name);
    return s.state === 'Running' && s.pid > 0 ? s : null;
  }, 10_000, `${name} to be Running`);
}

test('requests written back to back without newlines, by position and by name, unknown named params ignored', async () => {
  await waitRunning('up');
  const requests = [
    { jsonrpc: '2.0', id: 'a', method: 'service_list', params: [] },
    { jsonrpc: '2.0', id: 'b', method: 'service_status', params: ['up'] },
    { jsonrpc: '2.0', id: 'c', method: 'service_status', params: { name: 'up' } },
    { jsonrpc: '2.0', id: 'd', method: 'service_status', params: { name: 'up', verbose: true, since: 3 } },
    { jsonrpc: '2.0', id: 'e', method: 'service_status', params: { name: 4 } },
  ];
  c.write(requests.map((r) => JSON.stringify(r)).join(''));
  const [list, byPosition, byName, extra, wrongType] = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id) => c.answer(id)));
  assert.ok(list && byPosition && byName && extra && wrongType);
  assert.equal((checked('service_list', list) as Record<string, string>).up, 'Running');
  const st = checked('service_status', byPosition) as { name: string; pid: number; state: string; target: string; after: unknown };
  assert.deepEqual([st.name, st.state, st.target, st.after], ['up', 'Running', 'Up', {}]);
  assert.ok(isAlive(st.pid));
  assert.deepEqual(byName.result, byPosition.result);
  assert.deepEqual(extra.result, byPosition.result);
  assert.equal(wrongType.error?.code, -32602, 'a known param of the wrong type is still refused');
});

test('a service that exited 3 is Error(Exited(Pid(N), 3)) with the pid it had; statuses keeps the word and the exit', async () => {
  const pidFile = path.join(dir, 'crash.pid');
  const pid = await waitFor(() => fs.existsSync(pidFile) && Number(fs.readFileSync(pidFile, 'utf8')), 10_000, 'the crash service to write its pid');
  const expected = `Error(Exited(Pid(${pid}), 3))`;
  await waitFor(async () => ((await result('service_list')) as Record<string, string>).crash === expected, 10_000, `crash to be ${expected}`);
  const st = await statusOf('crash');
  assert.equal(st.state, expected);
  assert.equal(st.pid, 0, 'nothing runs while it waits to respawn');
  const all = (await result('service_statuses')) as { name: string; state: string; exit: unknown }[];
  const plain = all.find((s) => s.name === 'crash');
  assert.equal(plain?.state, 'Error');
  assert.deepEqual(plain?.exit, { code: 3, signal: null });
});

test('a service killed by a signal is Error(Signaled(Pid(N), SIGKILL, false))', async () => {
  const { pid } = await waitRunning('victim');
  assert.equal(await result('service_kill', ['victim', 'SIGKILL']), null);
  const expected = `Error(Signaled(Pid(${pid}), SIGKILL, false))`;
  await waitFor(async () => (await statusOf('victim')).state === expected, 10_000, `victim to be ${expected}`);
});

test('start of a running service answers null and changes nothing; stop answers null, its report only when asked', async () => {
  const { pid } = await waitRunning('up');
  assert.equal(await result('service_start', ['up']), null);
  assert.equal((await statusOf('up')).pid, pid, 'the same process');
  assert.equal(await result('service_stop', ['up']), null);
  assert.equal(isAlive(pid), false, 'stop answers once the process is gone');
  assert.equal(await result('service_stop', { name: 'up', report: true }), null, 'nothing ran any more');
  assert.equal(await result('service_start', { name: 'up' }), null);
  const again = await waitRunning('up');
  const report = (await result('service_stop', ['up', true])) as { signal: string; durationMs: number; sigkill: boolean; descendants: number };
  assert.equal(report.signal, 'SIGTERM');
  assert.equal(report.sigkill, false);
  assert.equal(isAlive(again.pid), false);
  assert.equal((await failure('service_start', ['ghost'])).code, -32000);
});

test("stats: the main process's own figures, its descendants as children, every process in tree", async () => {
  const { pid } = await waitRunning('family');
  const kids = await waitFor(() => {
    const found = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return found.length === 2 ? found : null;
  }, 10_000, 'the two sleeps');
  const st = (await result('service_stats', ['family'])) as { name: string; pid: number; memory_usage: number; cpu_usage: number; children: { pid: number; memory_usage: number }[]; tree: { processes: number; memoryBytes: number } };
  assert.equal(st.name, 'family');
  assert.equal(st.pid, pid);
  assert.ok(st.memory_usage > 0);
  assert.deepEqual(st.children.map((k) => k.pid).sort(), [...kids].sort(), 'the sleeps, not the main process');
  assert.equal(st.tree.processes, 3);
  assert.equal(st.tree.memoryBytes, st.memory_usage + st.children.reduce((n, k) => n + k.memory_usage, 0));
});

test('create → get → monitor → status → stop → delete, with zinit\'s answers', async () => {
  const file = path.join(d.configDir, 'api.yaml');
  const content = { exec: "sh -c 'echo api up; exec sleep 1000'", after: ['up'], env: { PORT: '8080' } };
  assert.equal(await result('service_start', ['up']), null);
  assert.equal(await result('service_create', { name: 'api', content }), "Service 'api' created successfully");
  assert.match(fs.readFileSync(file, 'utf8'), /^exec: /m, 'written as YAML');
  assert.equal(((await result('service_list')) as Record<string, string>).api, undefined, 'created, not loaded');
  assert.deepEqual(await result('service_get', ['api']), content);
  assert.equal(await result('service_monitor', ['api']), null);
  const running = await waitRunning('api');
  const st = await statusOf('api');
  assert.deepEqual([st.name, st.pid, st.state, st.target, st.after], ['api', running.pid, 'Running', 'Up', { up: 'Running' }]);
  assert.equal(await result('service_stop', ['api']), null);
  assert.equal(isAlive(running.pid), false);
  assert.deepEqual(((await statusOf('api')) as { target: string; pid: number }).target, 'Down');
  assert.equal(await result('service_delete', ['api']), "Service 'api' deleted successfully");
  assert.equal(fs.existsSync(file), false);
  assert.deepEqual(await failure('service_get', ['api']), {
    code: -32000,
    message: "getting service: Service 'api' not found",
    data: { code_name: 'ServiceNotFound', action: 'reading service file', service: 'api', hint: 'Ensure the service file exists' },
  });
  assert.equal((await failure('service_delete', ['api'])).code, -32000);
});

test('create refuses an existing file (-32007), an invalid body (-32005, nothing written) and a name with "/" or "." (-32602)', async () => {
  const before = fs.readFileSync(path.join(d.configDir, 'up.yaml'), 'utf8');
  const exists = await failure('service_create', ['up', { exec: 'true' }]);
  assert.deepEqual(exists, {
    code: -32007,
    message: "creating service: Service 'up' already exists",
    data: { code_name: 'ServiceAlreadyExists', action: 'creating service file', service: 'up', hint: 'Use a different name or delete the existing service first' },
  });
  assert.equal(fs.readFileSync(path.join(d.configDir, 'up.yaml'), 'utf8'), before);
  const invalid = await failure('service_create', ['broken', { after: 'up', restart: 'sometimes' }]);
  assert.equal(invalid.code, -32005);
  const problems = (invalid.data as { errors: string[] }).errors;
  const file = path.join(d.configDir, 'broken.yaml');
  assert.ok(problems.length >= 2 && problems.every((p) => p.startsWith(`${file}:`)), JSON.stringify(problems));
  assert.ok(problems.some((p) => /exec is required/.test(p)));
  assert.equal(fs.existsSync(file), false, 'nothing written');
  assert.deepEqual(fs.readdirSync(d.configDir).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left');
  for (const name of ['../escape', 'a.b']) {
    const e = await failure('service_create', [name, { exec: 'true' }]);
    assert.equal(e.code, -32602);
    assert.equal(e.message, `creating service: invalid service name '${name}'`);
    assert.equal((e.data as { code_name: string }).code_name, 'InvalidServiceName');
  }
  assert.equal(fs.existsSync(path.join(dir, 'escape.yaml')), false);
  assert.equal((await failure('service_monitor', ['a.b'])).code, -32602);
  assert.deepEqual(await result('service_get', ['up']), { exec: "sh -c 'echo up and about; exec sleep 1000'" });
});

test("logs: zinit's lines with a start mark at each spawn; a follower by filter; unsubscribe", async () => {
  const lines = await waitFor(async () => {
    const got = (await result('stream_currentLogs', ['flap'])) as string[];
    return got.filter((l) => l === `[-] flap: ${MARK}`).length >= 2 ? got : null;
  }, 10_000, 'flap to have been spawned twice');
  assert.deepEqual(lines.slice(0, 4), [`[-] flap: ${MARK}`, '[+] flap: hello', `[-] flap: ${MARK}`, '[+] flap: hello']);
  const crash = (await result('stream_currentLogs', { name: 'crash' })) as string[];
  assert.deepEqual(crash, [`[-] crash: ${MARK}`, '[-] crash: bad']);
  const ours = (await result('stream_currentLogs', ['crash', 'zinit-ts'])) as string[];
  assert.equal(ours.length, 1);
  assert.match(ours[0] ?? '', /^\d{4}-\d\d-\d\dT[\d:.]+Z \[crash\] stderr: bad$/);
  assert.deepEqual(await result('stream_currentLogs', ['ghost']), []);
  assert.equal((await failure('stream_currentLogs', ['ghost', 'zinit-ts'])).code, -32000);
  const all = (await result('stream_currentLogs', [])) as string[];
  assert.ok(all.includes('[-] crash: bad') && all.includes('[+] flap: hello'));

  const sub = (await result('stream_subscribeLogs', { filter: 'flap' })) as number;
  const alias = (await result('stream_subscribeLogs', { name: 'crash' })) as number;
  await waitFor(() => c.items(sub).length >= 2, 10_000, 'the next run of flap at the follower');
  const items = c.items(sub);
  assert.ok(items.every((i) => i === `[-] flap: ${MARK}` || i === '[+] flap: hello'), JSON.stringify(items));
  const notification = c.messages.find((m) => m.params?.subscription === sub);
  assert.equal(notification?.method, 'stream_subscribeLogs');
  assert.equal(await result('stream_unsubscribeLogs', [sub]), true);
  assert.equal(await result('stream_unsubscribeLogs', [sub]), false);
  const count = c.items(sub).length;
  // flap respawns with a growing delay: wait for one more run seen by a new follower, then check the old one got nothing.
  const check = (await result('stream_subscribeLogs', ['flap'])) as number;
  await waitFor(() => c.items(check).length >= 1, 15_000, 'another run of flap');
  assert.equal(c.items(sub).length, count, 'the unsubscribed follower got nothing more');
  assert.deepEqual(c.items(alias), [], 'crash does not run again within the test');
  assert.equal(await result('stream_unsubscribeLogs', [alias]), true);
  assert.equal(await result('stream_unsubscribeLogs', [check]), true);
});
