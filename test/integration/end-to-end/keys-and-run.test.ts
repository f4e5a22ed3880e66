// Service keys and `run` options, end to end: the real daemon, the real CLI, the result read from /proc and the output.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startDaemon, tempDir, waitState, type DaemonHandle } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait-for.js';

let daemon: DaemonHandle | null = null;
afterEach(async () => {
  await daemon?.cleanup();
  daemon = null;
});

/** The Uid:, Gid: and Groups: lines of /proc/<pid>/status (real, effective, saved, filesystem ids). */
function identityOf(pid: number): { uid: string[]; gid: string[]; groups: string[] } {
  const lines = fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n');
  const field = (name: string): string[] => (lines.find((l) => l.startsWith(`${name}:`)) ?? '').slice(name.length + 1).trim().split(/\s+/).filter(Boolean);
  return { uid: field('Uid'), gid: field('Gid'), groups: field('Groups') };
}

test('group: the service runs with that group id (real, effective, saved, fs), no supplementary groups; without it, the daemon\'s', async () => {
  daemon = await startDaemon({
    grouped: 'exec: sleep 1000\ngroup: 4242\n',
    both: 'exec: sleep 1000\nuser: 65534\ngroup: 4242\n',
    plain: 'exec: sleep 1000\n',
  });
  const grouped = identityOf((await waitState(daemon, 'grouped', 'Running')).pid);
  assert.deepEqual(grouped.gid, ['4242', '4242', '4242', '4242']);
  assert.deepEqual(grouped.uid, ['0', '0', '0', '0'], 'group alone leaves the user as it is');
  assert.deepEqual(grouped.groups, [], 'root\'s supplementary groups are dropped');
  const both = identityOf((await waitState(daemon, 'both', 'Running')).pid);
  assert.deepEqual(both.uid, ['65534', '65534', '65534', '65534']);
  assert.deepEqual(both.gid, ['4242', '4242', '4242', '4242'], 'group overrides the user\'s primary group');
  // Control: the same service without the key runs with the daemon's group.
  const plain = identityOf((await waitState(daemon, 'plain', 'Running')).pid);
  assert.deepEqual(plain.gid, identityOf(daemon.pid).gid);
});

test('log: stdout passes each line through to the daemon\'s stdout or stderr as written (and the ring); log: none keeps nothing; the default ring only the ring', async () => {
  const line = (name: string): string => `exec: sh -c 'echo ${name}-said-this; exec sleep 1000'\n`;
  const json = `exec: sh -c 'echo "{\\"level\\":\\"info\\",\\"msg\\":\\"up\\"}"; echo "{\\"level\\":\\"error\\"}" >&2; exec sleep 1000'\nlog: stdout\n`;
  daemon = await startDaemon({ out: `${line('out')}log: stdout\n`, none: `${line('none')}log: none\n`, ring: line('ring'), json });
  const d = daemon;
  await waitFor(() => d.stdout().split('\n').includes('out-said-this'), 10_000, 'the stdout service\'s line, unprefixed, on the daemon\'s stdout');
  await waitFor(() => d.stdout().split('\n').includes('{"level":"info","msg":"up"}') && d.stderr().split('\n').includes('{"level":"error"}'), 10_000, 'JSON lines whole, stdout to stdout and stderr to stderr');
  assert.ok(!d.stdout().includes('{"level":"error"}'), 'stderr lines stay off stdout');
  await waitFor(async () => (await d.cli(['log', '-s', 'ring'])).stdout.includes('ring-said-this'), 10_000, 'the ring service\'s line in its ring');
  assert.match((await d.cli(['log', '-s', 'out'])).stdout, /out-said-this/, 'log: stdout also keeps the line for `log`');
  // The none service has run its echo once its main process is sleep: by then the line would have arrived.
  const nonePid = (await waitState(d, 'none', 'Running')).pid;
  await waitFor(() => fs.readFileSync(`/proc/${nonePid}/cmdline`, 'utf8').startsWith('sleep'), 10_000, 'the none service to have echoed and become sleep');
  assert.doesNotMatch((await d.cli(['log', '-s', 'none'])).stdout, /none-said-this/, 'log: none keeps no line');
  assert.doesNotMatch(d.output(), /none-said-this|ring-said-this/, 'only log: stdout goes to the daemon\'s stdout');
  // The none service's stdout is not a pipe to the daemon: nothing is read from it.
  assert.equal(fs.readlinkSync(`/proc/${nonePid}/fd/1`), '/dev/null');
});

test('run --env and --dir: the transient command gets that variable and working directory', async () => {
  daemon = await startDaemon({});
  const dir = tempDir('zinit-ts-run-dir-');
  const r = await daemon.cli(['run', '--env', 'GREETING=hello there', '--env', 'SECOND=2', '--dir', dir, '--', 'sh', '-c', 'echo "[$GREETING] [$SECOND] [$(pwd)]"; exit 3']);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stdout, new RegExp(`\\[hello there\\] \\[2\\] \\[${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\]`));
  // Control: without them, neither the variable nor the directory.
  const plain = await daemon.cli(['run', '--', 'sh', '-c', 'echo "[$GREETING] [$(pwd)]"']);
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stdout, /\[\] \[\/\]/);
  fs.rmSync(path.resolve(dir), { recursive: true, force: true });
});
