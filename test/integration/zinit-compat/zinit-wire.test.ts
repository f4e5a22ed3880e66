// zinit's clients against zinit-ts: every zinit 0.2.28 method with zinit's framing, params, result shapes (JSON Schema), error codes, state strings and log lines.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { startDaemon, tempDir, type DaemonHandle } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait-for.js';
import { isAlive } from '../../helpers/proc.js';
import { ZinitWire, type Params, type WireResponse } from '../../helpers/zinit-wire-client.js';
import { ZINIT_LOG_LINE, ZINIT_LOG_NOTIFICATION, ZINIT_METHODS, ZINIT_RESULT_SCHEMAS, type ZinitMethod } from '../../helpers/zinit-result-schemas.js';

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const validators = new Map(ZINIT_METHODS.map((m) => [m, ajv.compile(ZINIT_RESULT_SCHEMAS[m])]));
const validateNotification = ajv.compile(ZINIT_LOG_NOTIFICATION);

/** The result, after checking it is one and that it has zinit's shape for `method`. */
function resultOf(method: ZinitMethod, r: WireResponse): unknown {
  assert.equal(r.error, undefined, `${method} answered an error: ${JSON.stringify(r.error)}`);
  assert.ok('result' in r, `${method}: no result in ${JSON.stringify(r)}`);
  const validate = validators.get(method);
  assert.ok(validate);
  assert.ok(validate(r.result), `${method}: ${JSON.stringify(r.result)} does not have zinit's shape: ${ajv.errorsText(validate.errors)}`);
  return r.result;
}

function codeOf(r: WireResponse): number | undefined {
  return r.error?.code;
}

/** Only keys zinit knows: these files are written as a zinit user writes them. */
function zinitServices(dir: string): Record<string, string> {
  return {
    ok: 'exec: sleep 1000\n',
    dep: 'exec: sleep 1000\nafter:\n  - ok\n',
    chatty: `exec: sh -c 'echo hello; echo oops >&2; exec sleep 1000'\n`,
    exit3: `exec: sh -c 'echo $$ > ${dir}/exit3.pid; exit 3'\noneshot: true\n`,
    killed: `exec: sh -c 'echo $$ > ${dir}/killed.pid; kill -TERM $$'\noneshot: true\n`,
  };
}

describe('zinit clients against zinit-ts', () => {
  let d: DaemonHandle;
  let wire: ZinitWire;
  let dir: string;

  before(async () => {
    dir = tempDir('zinit-compat-');
    d = await startDaemon(zinitServices(dir), [], { dir });
    wire = await ZinitWire.connect(d.socket);
    await waitFor(async () => {
      const list = resultOf('service_list', await wire.call('service_list')) as Record<string, string>;
      return list.ok === 'Running' && list.chatty === 'Running' && list.exit3?.startsWith('Error') && list.killed?.startsWith('Error');
    }, 15_000, 'every service settled');
  });

  after(async () => {
    wire?.close();
    await d?.cleanup();
  });

  it('answers requests written with no newline, back to back in one write, each answer ending in a newline', async () => {
    const answers = await wire.pipeline([
      ['service_list', []],
      ['service_status', ['ok']],
      ['service_status', { name: 'dep' }],
      ['stream_currentLogs', [null]],
      ['service_status', ['nope']],
      ['rpc.discover', []],
    ]);
    resultOf('service_list', answers[0]!);
    assert.equal((resultOf('service_status', answers[1]!) as { name: string }).name, 'ok');
    const dep = resultOf('service_status', answers[2]!) as { after: Record<string, string> };
    assert.deepEqual(dep.after, { ok: 'Running' });
    resultOf('stream_currentLogs', answers[3]!);
    assert.equal(codeOf(answers[4]!), -32000);
    resultOf('rpc.discover', answers[5]!);
  });

  it('answers a request that arrives a few bytes at a time', async () => {
    const req = wire.request('service_status', ['ok']);
    await wire.write(req.text, 3);
    const r = await wire.answer(req.id);
    assert.equal((resultOf('service_status', r) as { state: string }).state, 'Running');
  });

  it('ignores named params zinit does not know, as zinit does, and still checks the ones it knows', async () => {
    const r = await wire.call('service_status', { name: 'ok', verbose: true });
    assert.equal((resultOf('service_status', r) as { name: string }).name, 'ok');
    const wrong = await wire.call('service_status', { name: 42 });
    assert.equal(codeOf(wrong), -32602);
  });

  it('gives an error state in zinit form, with the pid of the run and its exit code or signal', async () => {
    const exitPid = Number(fs.readFileSync(path.join(dir, 'exit3.pid'), 'utf8'));
    const killedPid = Number(fs.readFileSync(path.join(dir, 'killed.pid'), 'utf8'));
    assert.ok(exitPid > 1 && killedPid > 1);
    const [list, exit3, killed] = await wire.pipeline([
      ['service_list', []],
      ['service_status', ['exit3']],
      ['service_status', ['killed']],
    ]);
    const states = resultOf('service_list', list!) as Record<string, string>;
    assert.equal(states.exit3, `Error(Exited(Pid(${exitPid}), 3))`);
    assert.equal(states.killed, `Error(Signaled(Pid(${killedPid}), SIGTERM, false))`);
    assert.equal((resultOf('service_status', exit3!) as { state: string }).state, `Error(Exited(Pid(${exitPid}), 3))`);
    assert.equal((resultOf('service_status', killed!) as { state: string }).state, `Error(Signaled(Pid(${killedPid}), SIGTERM, false))`);
  });

  it("keeps zinit's log lines: [+] for stdout, [-] for stderr, a start marker at every spawn, filtered by name", async () => {
    const lines = await waitFor(async () => {
      const all = resultOf('stream_currentLogs', await wire.call('stream_currentLogs', ['chatty'])) as string[];
      return all.includes('[-] chatty: oops') && all.includes('[+] chatty: hello') ? all : null;
    }, 10_000, 'chatty output in the ring');
    assert.ok(lines.every((l) => l.slice(4).startsWith('chatty:')), `a line of another service: ${lines.join('\n')}`);
    assert.ok(lines.every((l) => ZINIT_LOG_LINE.test(l)), lines.join('\n'));
    const markers = lines.filter((l) => l === '[-] chatty: ------------ [start] ------------');
    assert.equal(markers.length, 1, lines.join('\n'));
    assert.ok(lines.indexOf(markers[0]!) < lines.indexOf('[+] chatty: hello'), 'the start marker comes before the output of that run');
    const everyone = resultOf('stream_currentLogs', await wire.call('stream_currentLogs', [])) as string[];
    assert.ok(everyone.includes('[+] chatty: hello'));
    assert.deepEqual(resultOf('stream_currentLogs', await wire.call('stream_currentLogs', ['nope'])), []);
  });

  it('streams log lines to a subscriber filtered by name, and unsubscribes', async () => {
    const sub = await ZinitWire.connect(d.socket);
    try {
      const id = resultOf('stream_subscribeLogs', await sub.call('stream_subscribeLogs', { filter: 'chatty' }));
      const before = (resultOf('service_status', await wire.call('service_status', ['chatty'])) as { pid: number }).pid;
      resultOf('service_kill', await wire.call('service_kill', ['chatty', 'SIGKILL']));
      const got: string[] = [];
      await waitFor(async () => {
        const n = await sub.notification(10_000);
        const shape: unknown = n;
        assert.ok(validateNotification(shape), `not a zinit notification: ${JSON.stringify(n)}: ${ajv.errorsText(validateNotification.errors)}`);
        assert.equal(n.params?.subscription, id);
        got.push(n.params?.result as string);
        return got.includes('[+] chatty: hello');
      }, 15_000, 'the respawned run to print hello');
      assert.ok(got.every((l) => l.slice(4).startsWith('chatty:')), got.join('\n'));
      assert.ok(got.includes('[-] chatty: ------------ [start] ------------'), got.join('\n'));
      const afterPid = (resultOf('service_status', await wire.call('service_status', ['chatty'])) as { pid: number }).pid;
      assert.notEqual(afterPid, before);
      assert.equal(resultOf('stream_unsubscribeLogs', await sub.call('stream_unsubscribeLogs', [id])), true);
      assert.equal(resultOf('stream_unsubscribeLogs', await sub.call('stream_unsubscribeLogs', [id])), false);
    } finally {
      sub.close();
    }
  });

  it('creates, reads, monitors, stops, forgets and deletes a service file as zinit does', async () => {
    const content = { exec: 'sleep 1000', after: ['ok'], env: { GREETING: 'hi' }, shutdown_timeout: 2, log: 'ring', oneshot: false };
    const created = resultOf('service_create', await wire.call('service_create', ['made', content]));
    assert.equal(created, "Service 'made' created successfully");
    assert.ok(fs.existsSync(path.join(d.configDir, 'made.yaml')));
    const list = resultOf('service_list', await wire.call('service_list')) as Record<string, string>;
    assert.equal(list.made, undefined, 'service_create never starts the service');
    assert.deepEqual(resultOf('service_get', await wire.call('service_get', { name: 'made' })), content);
    assert.equal(codeOf(await wire.call('service_create', ['made', content])), -32007);

    resultOf('service_monitor', await wire.call('service_monitor', ['made']));
    const running = await waitFor(async () => {
      const s = resultOf('service_status', await wire.call('service_status', ['made'])) as { state: string; pid: number; target: string };
      return s.state === 'Running' && s.pid > 0 ? s : null;
    }, 10_000, 'made to run');
    assert.equal(running.target, 'Up');
    // In cgroup mode the pid is first the shim's, which execs the program a moment later with its environment.
    await waitFor(() => fs.readFileSync(`/proc/${running.pid}/environ`, 'utf8').split('\0').includes('GREETING=hi'), 5000, 'the service to run with GREETING=hi');
    assert.equal(codeOf(await wire.call('service_monitor', ['made'])), -32001);
    assert.equal(codeOf(await wire.call('service_forget', ['made'])), -32002);

    assert.equal(resultOf('service_stop', await wire.call('service_stop', ['made'])), null);
    await waitFor(() => !isAlive(running.pid), 5000, 'the stopped process to be gone');
    const down = resultOf('service_status', await wire.call('service_status', ['made'])) as { pid: number; target: string };
    assert.equal(down.target, 'Down');
    assert.equal(down.pid, 0);
    assert.equal(resultOf('service_stop', await wire.call('service_stop', ['made'])), null, 'stopping a stopped service is a no-op');
    assert.equal(codeOf(await wire.call('service_kill', ['made', 'SIGTERM'])), -32003);
    assert.equal(codeOf(await wire.call('service_stats', ['made'])), -32003);
    resultOf('service_forget', await wire.call('service_forget', ['made']));
    assert.equal(codeOf(await wire.call('service_status', ['made'])), -32000);
    assert.equal(resultOf('service_delete', await wire.call('service_delete', ['made'])), "Service 'made' deleted successfully");
    assert.ok(!fs.existsSync(path.join(d.configDir, 'made.yaml')));
    assert.equal(codeOf(await wire.call('service_get', ['made'])), -32000);
    assert.equal(codeOf(await wire.call('service_delete', ['made'])), -32000);
  });

  it('refuses a service body that would not load, saying why, and writes nothing', async () => {
    const r = await wire.call('service_create', ['broken', { exec: 'sleep 1', after: 'ok', shutdown_timeout: 'soon' }]);
    assert.equal(codeOf(r), -32005, JSON.stringify(r));
    assert.match(JSON.stringify(r.error), /after|shutdown_timeout/);
    assert.ok(!fs.existsSync(path.join(d.configDir, 'broken.yaml')));
  });

  it("answers zinit's error codes", async () => {
    const cases: readonly (readonly [string, Params, number])[] = [
      ['service_status', ['nope'], -32000],
      ['service_start', ['nope'], -32000],
      ['service_stop', ['nope'], -32000],
      ['service_kill', ['nope', 'SIGTERM'], -32000],
      ['service_forget', ['nope'], -32000],
      ['service_stats', ['nope'], -32000],
      ['service_kill', ['ok', 'SIGNOPE'], -32004],
      ['service_forget', ['ok'], -32002],
      ['service_monitor', ['ok'], -32001],
      ['service_monitor', ['missing'], -32005],
      ['service_monitor', ['a.b'], -32602],
      ['service_create', ['../evil', { exec: 'true' }], -32602],
      ['service_get', ['a/b'], -32602],
      ['service_delete', ['a\\b'], -32602],
      ['service_status', [], -32602],
      ['no_such_method', [], -32601],
    ];
    const answers = await wire.pipeline(cases.map(([m, p]) => [m, p] as const));
    cases.forEach(([m, p, code], i) => assert.equal(codeOf(answers[i]!), code, `${m} ${JSON.stringify(p)}: ${JSON.stringify(answers[i])}`));
    const invalid = answers[10]!.error?.data as { code_name?: string } | undefined;
    assert.equal(invalid?.code_name, 'InvalidServiceName');
    for (const a of answers) assert.ok(typeof a.error?.message === 'string' && a.error.message.length > 0);
  });

  it('answers a line that is not JSON with a parse error and keeps the connection', async () => {
    await wire.write('{"jsonrpc": "2.0", "id": 7, nope}\n');
    const parseError = await wire.answer('null');
    assert.equal(codeOf(parseError), -32700);
    const r = await wire.call('service_list');
    resultOf('service_list', r);
  });

  it("starts a running service as a no-op, stops and starts one, and reports zinit's stats", async () => {
    const s0 = resultOf('service_status', await wire.call('service_status', ['ok'])) as { pid: number };
    assert.equal(resultOf('service_start', await wire.call('service_start', ['ok'])), null);
    const s1 = resultOf('service_status', await wire.call('service_status', ['ok'])) as { pid: number };
    assert.equal(s1.pid, s0.pid, 'start of a running service changes nothing');
    assert.ok(isAlive(s0.pid));

    const stats = resultOf('service_stats', await wire.call('service_stats', ['chatty'])) as { pid: number; children: { pid: number }[] };
    const main = (resultOf('service_status', await wire.call('service_status', ['chatty'])) as { pid: number }).pid;
    assert.equal(stats.pid, main);
    assert.ok(!stats.children.some((c) => c.pid === main), 'children are the descendants, not the main process');

    resultOf('service_stop', await wire.call('service_stop', ['dep']));
    resultOf('service_start', await wire.call('service_start', ['dep']));
    await waitFor(async () => (resultOf('service_status', await wire.call('service_status', ['dep'])) as { state: string }).state === 'Running', 10_000, 'dep to run again');
  });

  it('starts and stops the HTTP server as zinit does', async () => {
    const started = resultOf('system_start_http_server', await wire.call('system_start_http_server', ['127.0.0.1:0']));
    assert.match(started as string, /^HTTP\/RPC server started at /);
    assert.equal(resultOf('system_stop_http_server', await wire.call('system_stop_http_server')), null);
  });

  it('lists every zinit method in rpc.discover', async () => {
    const raw = resultOf('rpc.discover', await wire.call('rpc.discover'));
    const doc = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { methods: { name: string }[] };
    const names = new Set(doc.methods.map((m) => m.name));
    for (const m of ZINIT_METHODS) if (m !== 'rpc.discover' && m !== 'stream_unsubscribeLogs') assert.ok(names.has(m), `rpc.discover lacks ${m}`);
  });

  it('shuts down on system_shutdown, answering null first', async () => {
    const pids = Object.keys(zinitServices(dir));
    const live = await Promise.all(pids.map(async (n) => (resultOf('service_status', await wire.call('service_status', [n])) as { pid: number }).pid));
    assert.equal(resultOf('system_shutdown', await wire.call('system_shutdown')), null);
    assert.equal(await d.exited(30_000), 0);
    for (const pid of live) if (pid > 0) assert.ok(!isAlive(pid), `pid ${pid} outlived the shutdown`);
  });
});

describe('system_reboot from a zinit client', () => {
  it('answers null and, not being PID 1, stops everything and exits', async () => {
    const d = await startDaemon({ a: 'exec: sleep 1000\n' });
    try {
      const wire = await ZinitWire.connect(d.socket);
      const pid = await waitFor(async () => {
        const s = resultOf('service_status', await wire.call('service_status', ['a'])) as { pid: number; state: string };
        return s.state === 'Running' ? s.pid : null;
      }, 10_000, 'a to run');
      assert.equal(resultOf('system_reboot', await wire.call('system_reboot')), null);
      assert.equal(await d.exited(30_000), 0);
      assert.ok(!isAlive(pid));
      wire.close();
    } finally {
      await d.cleanup();
    }
  });
});
