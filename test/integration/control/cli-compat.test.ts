// The CLI as zinit's users call it, against the real daemon: no command lists, -d everywhere, usage errors exit 1, start and stop quiet, --yaml as zinit prints it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { startDaemon, waitState, type DaemonHandle } from '../../helpers/daemon.js';
import { rawExchange } from '../../helpers/raw-socket.js';
import { waitFor } from '../../helpers/wait-for.js';
import { isAlive } from '../../helpers/proc.js';

let d: DaemonHandle;
before(async () => {
  d = await startDaemon({ db: 'exec: sleep 1000\n', web: "exec: sh -c 'echo web says hi; exec sleep 1000'\nafter: [db]\n", job: "exec: sh -c 'exit 3'\noneshot: true\n" }, ['-d']);
  await waitState(d, 'web', 'Running');
  await waitState(d, 'job', 'Error');
});
after(async () => {
  await d.cleanup();
});

const call = async (method: string, params: unknown): Promise<unknown> => {
  const [answer] = (await rawExchange(d.socket, [JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })], 1)) as { result: unknown }[];
  return answer?.result;
};

test('no command at all is list, quick path or not; -d is accepted before and after the command name', async () => {
  const list = await d.cli(['list']);
  assert.match(list.stdout, /^NAME +STATE +PID +TARGET +LAST EXIT +RESTARTS\n/);
  for (const args of [[], ['-d'], ['-d', 'list'], ['list', '-d'], ['--debug', 'list']]) {
    const r = await d.cli(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout.split('\n')[0], list.stdout.split('\n')[0], args.join(' '));
    assert.deepEqual(r.stdout.split('\n').map((l) => l.split(/ +/)[0]), list.stdout.split('\n').map((l) => l.split(/ +/)[0]), args.join(' '));
  }
  for (const args of [['-d', 'status', 'web'], ['status', 'web', '-d'], ['-d', 'log', '-s', 'web'], ['stats', '-d', 'web']]) {
    const r = await d.cli(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  }
});

test('init -d logs at debug level (the state changes of each service); without it, nothing at debug level', async () => {
  assert.match(d.output(), / debug +state service=web from=Unknown to=Spawned\n/);
  const plain = await startDaemon({ web: 'exec: sleep 1000\n' });
  try {
    await waitState(plain, 'web', 'Running');
    assert.match(plain.output(), / info +service ready service=web/);
    assert.doesNotMatch(plain.output(), / debug /);
  } finally {
    await plain.cleanup();
  }
});

test('usage errors exit 1 with the message and the help; help and version exit 0', async () => {
  const cases: [string[], RegExp][] = [
    [['lis'], /error: unknown command 'lis'\n\(Did you mean list\?\)/],
    [['frobnicate'], /error: unknown command 'frobnicate'/],
    [['--bogus'], /error: unknown option '--bogus'/],
    [['list', '--bogus'], /error: unknown option '--bogus'/],
    [['status'], /error: missing required argument 'name'/],
    [['status', 'web', 'db'], /error: too many arguments for 'status'/],
    [['kill'], /error: missing required argument 'name'/],
    [['list', '--json', '--yaml'], /error: option '--json' cannot be used with option '--yaml'/],
    [['init', '--buffer', '0'], /--buffer must be a positive whole number of lines, got "0"/],
    [['run', '--env', 'NOEQUALS', '--', 'true'], /--env takes KEY=VALUE, got "NOEQUALS"/],
  ];
  for (const [args, message] of cases) {
    const r = await d.cli(args);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.equal(r.stdout, '', args.join(' '));
  }
  for (const args of [['--help'], ['-V'], ['help', 'stop'], ['stop', '--help']]) assert.equal((await d.cli(args)).code, 0, args.join(' '));
  assert.match((await d.cli(['stop', '--help'])).stdout, /-v, --verbose/);
});

test('start of a running service: nothing printed, exit 0, the same process', async () => {
  const before = (await call('service_status', ['db'])) as { pid: number };
  const r = await d.cli(['start', 'db']);
  assert.deepEqual([r.code, r.stdout, r.stderr], [0, '', '']);
  assert.equal(((await call('service_status', ['db'])) as { pid: number }).pid, before.pid);
  assert.ok(isAlive(before.pid));
});

test('stop prints nothing and returns with the process gone; stop -v prints the report, or that nothing ran', async () => {
  await d.cli(['start', 'db']);
  const { pid } = await waitState(d, 'db', 'Running');
  const quiet = await d.cli(['stop', 'db']);
  assert.deepEqual([quiet.code, quiet.stdout, quiet.stderr], [0, '', '']);
  assert.ok(!isAlive(pid), 'gone when stop returns');
  assert.equal((await d.cli(['start', 'db'])).code, 0);
  const again = await waitState(d, 'db', 'Running');
  const verbose = await d.cli(['stop', '-v', 'db']);
  assert.equal(verbose.code, 0, verbose.stderr);
  assert.match(verbose.stdout, /^db stopped in \d+ ms\n$/);
  assert.ok(!isAlive(again.pid));
  const none = await d.cli(['stop', '--verbose', 'db']);
  assert.deepEqual([none.code, none.stdout, none.stderr], [0, 'db: no process to stop\n', '']);
  assert.equal((await d.cli(['start', 'db'])).code, 0);
  await waitState(d, 'db', 'Running');
});

test("--yaml: list, status and stats as zinit's documents of zinit's answers", async () => {
  const states = (await call('service_list', [])) as Record<string, string>;
  const list = await d.cli(['list', '--yaml']);
  assert.equal(list.code, 0, list.stderr);
  assert.ok(list.stdout.startsWith('---\n'));
  assert.deepEqual(parse(list.stdout), states);
  assert.deepEqual(list.stdout.split('\n').slice(1, -1).map((l) => l.split(':')[0]), Object.keys(states), "the daemon's order");

  const status = (await call('service_status', ['web'])) as { pid: number; state: string };
  const y = await d.cli(['status', 'web', '--yaml']);
  assert.equal(y.stdout, `---\nname: web\npid: ${status.pid}\nstate: ${status.state}\ntarget: Up\nafter:\n  db: Running\n`);
  const job = await d.cli(['status', 'job', '--yaml']);
  assert.match(job.stdout, /^---\nname: job\npid: 0\nstate: ("Error\(.*\)"|Error)\ntarget: \w+\nafter: \{\}\n$/);

  const stats = await d.cli(['stats', 'web', '--yaml']);
  assert.equal(stats.code, 0, stats.stderr);
  assert.match(stats.stdout, new RegExp(`^---\\nname: web\\npid: ${status.pid}\\nmemory_usage: \\d+\\ncpu_usage: -?[\\d.]+(e-?\\d+)?\\nchildren:( \\[\\]\\n|\\n(  - pid: \\d+\\n    memory_usage: \\d+\\n    cpu_usage: [\\d.e-]+\\n)+)$`));
});

test('log against zinit-ts: its own line form (time, service, stream)', async () => {
  const r = await waitFor(async () => {
    const out = await d.cli(['log', '-s', 'web']);
    return out.stdout.includes('web says hi') ? out : null;
  }, 10_000, 'the line in the log');
  assert.match(r.stdout, /^\d{4}-\d\d-\d\dT[\d:.]+Z \[web\] stdout: web says hi$/m);
});
