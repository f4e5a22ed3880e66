// The daemon's heap limit is in force from the start: applied in place (same pid) where Node can re-execute itself, said in the log where it cannot.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startDaemon, waitState, type DaemonHandle } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait-for.js';

const daemons: DaemonHandle[] = [];
after(async () => {
  for (const d of daemons) await d.cleanup();
});

const canReexec = typeof (process as unknown as { execve?: unknown }).execve === 'function';

function cmdline(pid: number): string[] {
  return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}

test(`--max-heap ${canReexec ? 'is applied by re-executing in place' : 'is reported as not applicable on this Node'}`, async () => {
  const d = await startDaemon({ a: 'exec: sleep 1000\n' }, ['--max-heap', '300']);
  daemons.push(d);
  const argv = cmdline(d.pid);
  if (canReexec) {
    // The pid we spawned now runs Node with the flag: the same process, re-executed, not a child.
    assert.equal(argv[1], '--max-old-space-size=300', argv.join(' '));
    // The young generation's cap comes with it, in the same re-execution.
    assert.equal(argv[2], '--max-semi-space-size=1', argv.join(' '));
    const limit = Number(/heapLimitMiB=(\d+)/.exec(d.output())?.[1]);
    // V8 adds its young generation (up to 192 MiB on Node 24) on top of the old space.
    assert.ok(limit >= 300 && limit < 300 + 256, `V8 reports a heap limit of ${limit} MiB for --max-heap 300`);
    assert.doesNotMatch(d.output(), /heap limit: /);
  } else {
    assert.ok(!argv.some((a) => a.startsWith('--max-old-space-size') || a.startsWith('--max-semi-space-size')), argv.join(' '));
    assert.match(d.output(), /heap limit: this Node \(v\d+[^)]*\) cannot re-execute itself; run it as node --max-old-space-size=300/);
  }
});

test('--max-heap 0 leaves Node its own default, and a bad value is refused with how to fix it', async () => {
  const d = await startDaemon({ a: 'exec: sleep 1000\n' }, ['--max-heap', '0']);
  daemons.push(d);
  assert.ok(!cmdline(d.pid).some((a) => a.startsWith('--max-old-space-size') || a.startsWith('--max-semi-space-size')));
  assert.doesNotMatch(d.output(), /heap limit: /);
  const bad = await d.cli(['init', '--max-heap', '12']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--max-heap must be a whole number of MiB, at least 64 \(or 0 for Node's default\), got "12"/);
});

test('the re-executed daemon runs with the options parsed before it, and no service inherits them', { skip: !canReexec && 'this Node cannot re-execute itself' }, async () => {
  const d = await startDaemon({ talker: "exec: sh -c 'for i in 1 2 3 4 5 6; do echo line$i; done; exec sleep 1000'\n" }, ['--max-heap', '300', '--buffer', '2', '--log-format', 'json']);
  daemons.push(d);
  assert.equal(cmdline(d.pid)[1], '--max-old-space-size=300', 'the daemon re-executed itself');
  const s = await waitState(d, 'talker', 'Running');
  await waitFor(async () => (await d.cli(['log', '-s', 'talker'])).stdout.includes('line6'), 10_000, 'the last line in the ring');
  // --buffer 2: the ring holds the last two lines only.
  const lines = (await d.cli(['log', '-s', 'talker'])).stdout.trim().split('\n');
  assert.equal(lines.length, 2, lines.join('\n'));
  assert.match(lines[0] ?? '', /line5/);
  // --log-format json: every line of the daemon's own log, after the re-execution too.
  const own = d.output().trim().split('\n').filter(Boolean);
  assert.ok(own.length > 0 && own.every((l) => l.startsWith('{')), own.slice(0, 5).join('\n'));
  const environ = fs.readFileSync(`/proc/${s.pid}/environ`, 'utf8').split('\0');
  assert.ok(!environ.some((e) => e.startsWith('ZINIT_TS_INIT_OPTIONS=')), 'the handed options are not in the service environment');
  assert.ok(environ.some((e) => e.startsWith('PATH=')), 'the environment was read');
});
