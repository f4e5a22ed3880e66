// The real CLI against a stand-in zinit: every command works from zinit's own methods, or says in one line that it needs zinit-ts.
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, tempDir, type CliResult } from '../../helpers/daemon.js';
import { startFakeZinit, type FakeZinit } from '../../helpers/fake-zinit.js';
import { waitFor } from '../../helpers/wait-for.js';

let dir = '';
let zinit: FakeZinit;

beforeEach(async () => {
  dir = tempDir('zinit-ts-fake-');
  zinit = await startFakeZinit(path.join(dir, 'zinit.sock'), {
    web: {
      pid: 101,
      state: 'Running',
      target: 'Up',
      after: { db: 'Running' },
      usage: { memory_usage: 1048576, cpu_usage: 2.5, children: [{ pid: 102, memory_usage: 524288, cpu_usage: 0.25 }] },
    },
    db: { pid: 100, state: 'Running', target: 'Up', after: {} },
    job: { pid: 0, state: 'Error(Exited(Pid(77), 3))', target: 'Down', after: {} },
  });
  zinit.logs.push('[+] web: listening on 8080', '[-] db: ------------ [start] ------------', '[-] web: a warning');
});

afterEach(async () => {
  await zinit.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const cli = (args: readonly string[]): Promise<CliResult> => runCli(args, { socket: zinit.socket });
const methods = (): string[] => zinit.calls.map((c) => c.method);

test("list: zinit's list, then each service's status; the same with no command at all", async () => {
  for (const args of [['list'], []]) {
    const r = await cli(args);
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.trimEnd().split('\n');
    assert.match(rows[0] ?? '', /^NAME +STATE +PID +TARGET +LAST EXIT +RESTARTS$/);
    assert.deepEqual(rows.slice(1).map((l) => l.split(/ {2,}/)), [
      ['db', 'Running', '100', 'Up', '-', '-'],
      ['job', 'Error(Exited(Pid(77), 3))', '-', 'Down', '-', '-'],
      ['web', 'Running', '101', 'Up', '-', '-'],
    ]);
  }
  assert.deepEqual(methods().slice(0, 2), ['service_statuses', 'service_list'], 'zinit-ts first, then zinit');
  const json = JSON.parse((await cli(['list', '--json'])).stdout) as { name: string; pid: number }[];
  assert.deepEqual(json.map((s) => [s.name, s.pid]), [['db', 100], ['job', 0], ['web', 101]]);
});

test("status: zinit's status; an unknown service is zinit's error, exit 1", async () => {
  const r = await cli(['status', 'web']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'name:     web\nstate:    Running\npid:      101\ntarget:   Up\nlast exit: -\nrestarts: -\nafter:\n  db: Running\n');
  const missing = await cli(['status', 'ghost']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^zinit-ts: getting status: service 'ghost' not found/);
});

test("--yaml prints zinit's documents for list, status and stats", async () => {
  const list = await cli(['list', '--yaml']);
  assert.equal(list.code, 0, list.stderr);
  assert.equal(list.stdout, '---\nweb: Running\ndb: Running\njob: "Error(Exited(Pid(77), 3))"\n');
  assert.equal((await cli(['status', 'web', '--yaml'])).stdout, '---\nname: web\npid: 101\nstate: Running\ntarget: Up\nafter:\n  db: Running\n');
  assert.equal(
    (await cli(['stats', 'web', '--yaml'])).stdout,
    '---\nname: web\npid: 101\nmemory_usage: 1048576\ncpu_usage: 2.5\nchildren:\n  - pid: 102\n    memory_usage: 524288\n    cpu_usage: 0.25\n',
  );
  assert.ok(!methods().includes('service_statuses'), 'zinit methods only');
});

test("stats: with no tree totals in the answer, the main process and its children added up", async () => {
  const r = await cli(['stats', 'web']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^NAME +PID +PROCESSES +CPU +MEMORY\nweb +101 +2 +2\.8% +1\.5 MiB\n$/);
});

test("log -s: zinit's lines as they are; an unknown service is zinit's error", async () => {
  const all = await cli(['log', '-s']);
  assert.equal(all.code, 0, all.stderr);
  assert.equal(all.stdout, '[+] web: listening on 8080\n[-] db: ------------ [start] ------------\n[-] web: a warning\n');
  assert.equal((await cli(['log', '-s', 'web'])).stdout, '[+] web: listening on 8080\n[-] web: a warning\n');
  const missing = await cli(['log', '-s', 'ghost']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /service 'ghost' not found/);
});

test('log: the lines there now, then the new ones, until the daemon ends the stream', async () => {
  const run = cli(['log', 'web']);
  await waitFor(() => methods().includes('stream_subscribeLogs'), 10_000, 'the CLI to subscribe');
  zinit.emitLog('[+] db: not this one');
  zinit.emitLog('[+] web: a new line');
  // Ending the connection (after what was written) ends the follow.
  await zinit.close();
  const r = await run;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '[+] web: listening on 8080\n[-] web: a warning\n[+] web: a new line\n');
  const sub = zinit.calls.find((c) => c.method === 'stream_subscribeLogs');
  assert.deepEqual(sub?.params, ['web'], "zinit's own params");
});

test('tree, reload and run need zinit-ts: one line saying so, exit 1', async () => {
  for (const [args, command] of [[['tree'], 'tree'], [['reload'], 'reload'], [['run', '--', 'true'], 'run']] as const) {
    const r = await cli(args);
    assert.equal(r.code, 1, command);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `zinit-ts: \`${command}\` needs zinit-ts: the daemon at ${zinit.socket} does not support it (it looks like zinit)\n`);
  }
});

test("restart: zinit's stop, its status until the service is down, then its start", async () => {
  const r = await cli(['restart', 'web']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(methods(), ['service_restart', 'service_stop', 'service_status', 'service_start']);
  assert.equal(zinit.services.get('web')?.state, 'Running');
  assert.equal(zinit.services.get('web')?.target, 'Up');
});

test('start, stop, stop -v, kill, monitor, forget, shutdown: exit 0; only stop -v prints, and a zinit has no report to give', async () => {
  for (const args of [['start', 'web'], ['stop', 'web'], ['kill', 'db', 'SIGHUP'], ['monitor', 'db'], ['forget', 'job'], ['shutdown']]) {
    const r = await cli(args);
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, '', ''], args.join(' '));
  }
  const v = await cli(['stop', '-v', 'db']);
  assert.deepEqual([v.code, v.stdout, v.stderr], [0, 'db: no process to stop\n', '']);
  assert.deepEqual(zinit.calls.find((c) => c.method === 'service_stop' && JSON.stringify(c.params).includes('db'))?.params, { name: 'db', report: true });
});

test('start of a running service answered SERVICE_IS_UP (earlier zinit-ts daemons) is the same silent success; other errors still fail', async () => {
  const earlier = await startFakeZinit(path.join(dir, 'earlier.sock'), { web: { pid: 7, state: 'Running', target: 'Up', after: {} } }, { refuseStartOfRunning: true });
  try {
    const up = await runCli(['start', 'web'], { socket: earlier.socket });
    assert.deepEqual([up.code, up.stdout, up.stderr], [0, '', '']);
    assert.deepEqual(earlier.calls.map((c) => c.method), ['service_start'], 'the daemon was asked, and said it is up');
    const missing = await runCli(['start', 'ghost'], { socket: earlier.socket });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /service 'ghost' not found/);
  } finally {
    await earlier.close();
  }
});
