import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { runCli, startDaemon, statusOf, waitState, type DaemonHandle } from '../../helpers/daemon.js';
import { rawExchange } from '../../helpers/raw-socket.js';
import { waitFor } from '../../helpers/wait-for.js';
import { isAlive } from '../../helpers/proc.js';

let d: DaemonHandle;
before(async () => {
  d = await startDaemon({ redis: 'exec: sleep 1000\n', nginx: "exec: sh -c 'echo nginx says hi; exec sleep 1000'\nafter: [redis]\n" });
  await waitState(d, 'nginx', 'Running');
  // Running comes at spawn; its line reaches the log through a pipe after that.
  await waitFor(async () => (await d.cli(['log', '-s', 'nginx'])).stdout.includes('nginx says hi'), 10_000, "nginx's line in the log");
});
after(async () => {
  await d.cleanup();
});

const call = async (method: string, params?: unknown, id: number | string = 1): Promise<Record<string, unknown>> => {
  const req = JSON.stringify(params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params });
  const [answer] = await rawExchange(d.socket, [req], 1);
  return answer as Record<string, unknown>;
};

test('zinit clients: requests exactly as zinit documents them get zinit-shaped answers', async () => {
  assert.deepEqual(await call('service_list', []), { jsonrpc: '2.0', id: 1, result: { nginx: 'Running', redis: 'Running' } });
  const st = (await call('service_status', ['nginx'])).result as Record<string, unknown>;
  assert.equal(st.name, 'nginx');
  assert.equal(st.state, 'Running');
  assert.equal(st.target, 'Up');
  assert.deepEqual(st.after, { redis: 'Running' });
  assert.ok(typeof st.pid === 'number' && st.pid > 0 && isAlive(st.pid));
  assert.deepEqual(await call('service_status', { name: 'redis' }, 'x'), { jsonrpc: '2.0', id: 'x', result: (await call('service_status', ['redis'], 'x')).result });
  const missing = await call('service_start', ['nonexistent']);
  assert.equal((missing.error as { code: number }).code, -32000);
  assert.match((missing.error as { message: string }).message, /"nonexistent"/);
  const doc = (await call('rpc.discover', [])).result as { openrpc: string; methods: { name: string }[] };
  assert.ok(doc.openrpc.startsWith('1.'));
  const names = doc.methods.map((m) => m.name);
  for (const m of ['service_list', 'service_status', 'service_start', 'service_stop', 'service_restart', 'service_monitor', 'service_forget', 'service_kill', 'service_stats', 'system_shutdown', 'system_reboot', 'stream_currentLogs', 'stream_subscribeLogs', 'rpc.discover'])
    assert.ok(names.includes(m), m);
  const logs = (await call('stream_currentLogs', ['nginx'])).result as string[];
  assert.deepEqual(logs, ['[-] nginx: ------------ [start] ------------', '[+] nginx: nginx says hi'], "zinit's lines");
  const ours = (await call('stream_currentLogs', { name: 'nginx', format: 'zinit-ts' })).result as string[];
  assert.ok(ours.length === 1 && ours[0]?.endsWith('[nginx] stdout: nginx says hi'), JSON.stringify(ours));
});

test('bad input gets the right JSON-RPC error and the daemon keeps serving', async () => {
  const answers = await rawExchange(
    d.socket,
    ['{not json', '[]', '{"jsonrpc":"2.0","id":2,"method":"no_such_method"}', '{"jsonrpc":"2.0","id":3,"method":"service_status","params":[42]}', '{"jsonrpc":"2.0","id":4,"method":"service_status","params":["ghost"]}', '{"jsonrpc":"2.0","id":5,"method":"service_kill","params":["redis","SIGNOPE"]}', '{"jsonrpc":"2.0","id":6,"method":"service_list"}'],
    7,
  );
  const codes = answers.map((a) => (a as { error?: { code: number } }).error?.code ?? 'ok');
  assert.deepEqual(codes, [-32700, -32600, -32601, -32602, -32000, -32004, 'ok']);
  const big = await new Promise<string>((resolve) => {
    const c = net.createConnection(d.socket);
    let got = '';
    c.on('data', (b: Buffer) => (got += b.toString()));
    c.on('close', () => resolve(got));
    c.on('error', () => resolve(got));
    c.on('connect', () => c.write(`{"jsonrpc":"2.0","id":9,"method":"service_list","params":["${'x'.repeat(4 * 1024 * 1024)}"]}\n`));
  });
  assert.match(big, /"code":-32050/);
  assert.deepEqual((await call('service_list')).result, { nginx: 'Running', redis: 'Running' });
});

test('200 concurrent clients are all answered', async () => {
  const all = await Promise.all(Array.from({ length: 200 }, (_, i) => rawExchange(d.socket, [JSON.stringify({ jsonrpc: '2.0', id: i, method: 'service_status', params: ['redis'] })], 1, 15_000)));
  all.forEach((a, i) => assert.equal((a[0] as { id: number; result: { name: string } }).result.name, 'redis', `client ${i}`));
});

test('the socket is mode 0600 and a second daemon refuses it', async () => {
  assert.equal(fs.statSync(d.socket).mode & 0o777, 0o600);
  const r = await runCli(['init', '-c', d.configDir], { socket: d.socket, timeoutMs: 10_000 });
  assert.equal(r.code, 1);
  assert.match(r.stdout + r.stderr, /another zinit-ts is already serving/);
  assert.equal((await call('service_list')).result !== undefined, true, 'the first daemon still serves');
});

test('kill NAME SIGNAL signals the service: its process dies and is respawned with a new pid', async () => {
  const before = await statusOf(d, 'redis');
  assert.equal((await d.cli(['kill', 'redis', 'KILL'])).code, 0);
  const after = await waitFor(async () => {
    const s = await statusOf(d, 'redis');
    return s.state === 'Running' && s.pid !== before.pid ? s : null;
  }, 10_000, 'redis respawned after kill');
  assert.equal(isAlive(before.pid), false);
  assert.deepEqual(after.exit, { code: null, signal: 'SIGKILL' }, 'the run ended by the signal sent');
});

test('stats: memory is the resident size in /proc/<pid>/stat times getconf PAGESIZE; CPU is 0 for an idle service and above 0 for a busy one', async () => {
  const pid = (await statusOf(d, 'redis')).pid;
  const stats = await d.cli(['stats', 'redis', '--json']);
  assert.equal(stats.code, 0, stats.stderr);
  const st = JSON.parse(stats.stdout) as { pid: number; memory_usage: number; cpu_usage: number; children: { pid: number }[]; tree: { memoryBytes: number; processes: number; cpuPercent: number } };
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rssPages = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[21]);
  assert.equal(st.tree.memoryBytes, rssPages * Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim()));
  assert.equal(st.tree.processes, 1);
  assert.equal(st.tree.cpuPercent, 0, 'sleep uses no CPU over the sample');
  assert.equal(st.pid, pid);
  assert.equal(st.memory_usage, st.tree.memoryBytes, "zinit's figures are the main process's, here the only one");
  assert.equal(st.cpu_usage, 0);
  assert.deepEqual(st.children, [], 'the main process is not among its own children (zinit counts descendants)');
  // Control: a service that spins shows CPU use, so the 0 above is a measurement, not a constant.
  fs.writeFileSync(path.join(d.configDir, 'spin.yaml'), "exec: sh -c 'while :; do :; done'\n");
  try {
    assert.equal((await d.cli(['monitor', 'spin'])).code, 0);
    await waitState(d, 'spin', 'Running');
    const busy = JSON.parse((await d.cli(['stats', 'spin', '--json'])).stdout) as { cpu_usage: number; tree: { cpuPercent: number } };
    assert.ok(busy.tree.cpuPercent > 0, `a spinning service uses CPU: ${busy.tree.cpuPercent}%`);
    assert.ok(busy.cpu_usage > 0, 'its main process does the spinning');
  } finally {
    await d.cli(['stop', 'spin']);
    await d.cli(['forget', 'spin']);
    fs.rmSync(path.join(d.configDir, 'spin.yaml'), { force: true });
  }
});

test('forget refuses a running service; after stop (its process gone) it is forgotten', async () => {
  const pid = (await statusOf(d, 'nginx')).pid;
  assert.equal((await d.cli(['forget', 'nginx'])).code, 1, 'a running service cannot be forgotten');
  assert.equal(isAlive(pid), true);
  assert.equal((await d.cli(['stop', 'nginx'])).code, 0);
  assert.equal(isAlive(pid), false, 'stop returns once the process is gone');
  assert.equal((await d.cli(['forget', 'nginx'])).code, 0);
  assert.equal((await d.cli(['status', 'nginx'])).code, 1, 'a forgotten service is unknown');
});

test('monitor loads a service file again and starts it', async () => {
  if ((await d.cli(['status', 'nginx'])).code === 0) {
    await d.cli(['stop', 'nginx']);
    await d.cli(['forget', 'nginx']);
  }
  assert.equal((await d.cli(['monitor', 'nginx'])).code, 0);
  const s = await waitState(d, 'nginx', 'Running');
  assert.ok(isAlive(s.pid));
});

test('restart replaces the process: the old pid is gone, a new one runs', async () => {
  const r0 = await waitState(d, 'nginx', 'Running');
  assert.equal((await d.cli(['restart', 'nginx'])).code, 0);
  const r1 = await waitState(d, 'nginx', 'Running');
  assert.notEqual(r1.pid, r0.pid);
  assert.equal(isAlive(r0.pid), false);
  assert.ok(isAlive(r1.pid));
});

test('reload: an added file starts, a removed one stops and is forgotten, a changed one restarts', async () => {
  const r = await startDaemon({ keep: 'exec: sleep 1000\n', gone: 'exec: sleep 1001\n', change: 'exec: sleep 1002\n' });
  try {
    await waitState(r, 'change', 'Running');
    const gonePid = (await statusOf(r, 'gone')).pid;
    const changePid = (await statusOf(r, 'change')).pid;
    const keepPid = (await statusOf(r, 'keep')).pid;
    fs.rmSync(path.join(r.configDir, 'gone.yaml'));
    fs.writeFileSync(path.join(r.configDir, 'change.yaml'), 'exec: sleep 1003\n');
    fs.writeFileSync(path.join(r.configDir, 'added.yaml'), 'exec: sleep 1004\n');
    const out = await r.cli(['reload']);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /added: added\nremoved: gone\nchanged: change/);
    await waitState(r, 'added', 'Running');
    const changed = await waitState(r, 'change', 'Running');
    assert.notEqual(changed.pid, changePid);
    assert.equal(isAlive(gonePid), false);
    assert.equal(isAlive(changePid), false);
    assert.equal((await statusOf(r, 'keep')).pid, keepPid, 'an unchanged service is left alone');
    assert.equal((await r.cli(['status', 'gone'])).code, 1);
  } finally {
    await r.cleanup();
  }
});
