import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startDaemon, statusOf, tempDir, waitState, type DaemonHandle } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait-for.js';
import { fates, isAlive, processList } from '../../helpers/proc.js';
import { execFileSync } from 'node:child_process';

let daemon: DaemonHandle | null = null;
afterEach(async () => {
  await daemon?.cleanup();
  daemon = null;
});

test('a 10-deep chain of probed services, each ready about 50 ms after start, is up in seconds, not the 20 s of probing every 2 s', async () => {
  const dir = tempDir();
  const files: Record<string, string> = {};
  for (let i = 1; i <= 10; i++) {
    const ready = path.join(dir, `ready-${i}`);
    files[`s${i}`] = `exec: sh -c 'sleep 0.05; touch ${ready}; exec sleep 1000'\ntest: test -f ${ready}\n${i > 1 ? `after: [s${i - 1}]\n` : ''}`;
  }
  daemon = await startDaemon(files, [], { dir });
  await waitState(daemon, 's10', 'Running', 20_000);
  // Measured by the daemon's own clock: from the first spawn to the last service ready.
  const at = (re: RegExp): number => Date.parse(re.exec(daemon!.output())?.[1] ?? 'NaN');
  const elapsed = at(/^(\S+) info +service ready service=s10 /m) - at(/^(\S+) info +service spawned service=s1 /m);
  // Ten sequential 50 ms starts are 0.5 s of the services' own time; probing every 2 s would take 20 s. Each
  // probe is a spawn of its own, so a loaded machine adds to every step; the figures are bench/'s work.
  assert.ok(elapsed - 500 < 5000, `chain up in ${elapsed} ms: ${elapsed - 500} ms of overhead`);
  for (let i = 1; i <= 10; i++) assert.equal((await statusOf(daemon, `s${i}`)).state, 'Running');
});

test('a crash-looping service reaches Failure after max_restarts, with the count and exit code right', async () => {
  daemon = await startDaemon({ crash: "exec: sh -c 'sleep 0.05; exit 3'\ntest: 'false'\nmax_restarts: 3\nrestart_delay: 0.02\n", after: 'exec: sleep 1000\nafter: [crash]\n' });
  const s = await waitState(daemon, 'crash', 'Failure');
  assert.equal(s.restarts, 3);
  assert.deepEqual(s.exit, { code: 3, signal: null });
  const dep = await statusOf(daemon, 'after');
  assert.equal(dep.state, 'Blocked');
  assert.match(dep.reason ?? '', /dependency "crash" failed \(Failure, exit code 3\)/);
});

test('user: nobody runs the service as uid 65534', async () => {
  daemon = await startDaemon({ nobody: 'exec: sleep 1000\nuser: nobody\n' });
  const s = await waitState(daemon, 'nobody', 'Running');
  const status = fs.readFileSync(`/proc/${s.pid}/status`, 'utf8');
  assert.match(status, /^Uid:\s+65534\s+65534\s+65534\s+65534$/m);
  assert.match(status, /^Groups:\s*$/m, 'no supplementary groups inherited from root');
  assert.doesNotMatch(status, /^Gid:\s+0\s/m, 'not left in group root');
});

test('an unknown user is a validation error for that file only', async () => {
  daemon = await startDaemon({ ghost: 'exec: sleep 1000\nuser: no-such-user-here\n', ok: 'exec: sleep 1000\n' });
  await waitState(daemon, 'ok', 'Running');
  assert.match(daemon.output(), /ghost\.yaml:2:7: .*"no-such-user-here" does not exist/);
});

test('post_stop runs only after every process of the service is gone', async () => {
  const dir = tempDir();
  const pids = path.join(dir, 'pids');
  const seen = path.join(dir, 'seen');
  // Reports each recorded pid still alive: its stat read (not gone, not reaped meanwhile) and not a zombie.
  const check = `for p in $(cat ${pids}); do s=$(cat /proc/$p/stat 2>/dev/null) || continue; case "$s" in *") Z "*) ;; *) echo "$p $s";; esac; done > ${seen}; echo checked >> ${seen}`;
  daemon = await startDaemon(
    {
      tree: `exec: sh -c 'trap "" TERM; echo $$ > ${pids}; sleep 1000 & echo $! >> ${pids}; (setsid sh -c "trap \\"\\" TERM; sleep 1000" & echo $! >> ${pids}); while :; do wait; done'\nshutdown_timeout: 0.5\npost_stop: sh -c '${check}'\n`,
    },
    [],
    { dir },
  );
  await waitState(daemon, 'tree', 'Running');
  await waitFor(() => fs.existsSync(pids) && fs.readFileSync(pids, 'utf8').trim().split('\n').length === 3, 5000, 'three pids recorded');
  const r = await daemon.cli(['stop', 'tree']);
  assert.equal(r.code, 0, r.stderr);
  await waitFor(() => fs.existsSync(seen) && fs.readFileSync(seen, 'utf8').includes('checked'), 5000, 'post_stop ran');
  assert.equal(fs.readFileSync(seen, 'utf8'), 'checked\n', `post_stop saw no live process of the service; daemon log:\n${daemon.output()}`);
  for (const p of fs.readFileSync(pids, 'utf8').trim().split('\n')) assert.equal(isAlive(Number(p)), false);
});

test('a critical oneshot that exits 7 makes the container exit 7 after a clean stop of the others', async () => {
  const dir = tempDir();
  const journal = path.join(dir, 'journal');
  const pidFile = path.join(dir, 'other-pids');
  const gate = path.join(dir, 'gate');
  execFileSync('mkfifo', [gate]);
  daemon = await startDaemon(
    {
      // The main shell and its sleep, each pid written down; TERM is handled, stopping the sleep too.
      other: `exec: sh -c 'sleep 1000 & p=$!; trap "kill $p; echo other-stopped >> ${journal}; exit 0" TERM; echo $$ $p > ${pidFile}; wait'\n`,
      setup: `exec: sh -c 'read -r _ < ${gate}; exit 7'\noneshot: true\ncritical: true\n`,
    },
    ['--container'],
    { dir, waitReady: true },
  );
  const other = await waitFor(() => (fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8').trim().split(' ').length === 2 ? fs.readFileSync(pidFile, 'utf8').trim().split(' ').map(Number) : null), 10_000, 'the other service\'s pids');
  const ids = processList().filter((p) => other.includes(p.pid)).map((p) => ({ pid: p.pid, startTime: p.startTime }));
  assert.equal(ids.length, 2, 'both processes of the other service are running');
  // Only now may the oneshot fail: both pids are known and alive.
  fs.writeFileSync(gate, 'go\n');
  assert.equal(await daemon.exited(20_000), 7);
  assert.match(fs.readFileSync(journal, 'utf8'), /other-stopped/, 'the other service got its graceful stop');
  assert.equal(fates(ids).alive, 0, `no process of the other service outlived the daemon: ${JSON.stringify(fates(ids))}`);
  assert.match(daemon.output(), /critical service failed service=setup exitCode=7/);
});

test('a long-running critical service that ends in Failure makes the container exit with its code', async () => {
  daemon = await startDaemon({ crit: "exec: sh -c 'exit 5'\ncritical: true\nmax_restarts: 2\nrestart_delay: 0.05\n" }, ['--container']);
  assert.equal(await daemon.exited(20_000), 5);
  const out = daemon.output();
  assert.equal(out.match(/service spawned service=crit/g)?.length, 3, 'the first run and two restarts, then Failure');
  assert.match(out, /critical service failed service=crit exitCode=5/);
});

test('a long-running critical service killed by a signal makes the container exit 128+N', async () => {
  daemon = await startDaemon({ crit: 'exec: sleep 1000\ncritical: true\nrestart: never\n', other: 'exec: sleep 1000\n' }, ['--container']);
  const pid = (await waitState(daemon, 'crit', 'Running')).pid;
  const otherPid = (await waitState(daemon, 'other', 'Running')).pid;
  process.kill(pid, 'SIGKILL');
  assert.equal(await daemon.exited(20_000), 128 + 9);
  assert.match(daemon.output(), /critical service failed service=crit exitCode=137/);
  assert.equal(isAlive(otherPid), false, 'the other service was stopped before the exit');
});

test('control: the same failures without critical leave the daemon running, the service in Failure', async () => {
  daemon = await startDaemon({ crit: "exec: sh -c 'exit 5'\nmax_restarts: 2\nrestart_delay: 0.05\n", killed: 'exec: sleep 1000\nrestart: never\n' }, ['--container']);
  process.kill((await waitState(daemon, 'killed', 'Running')).pid, 'SIGKILL');
  const s = await waitState(daemon, 'crit', 'Failure');
  assert.deepEqual(s.exit, { code: 5, signal: null });
  assert.deepEqual((await waitState(daemon, 'killed', 'Failure')).exit, { code: null, signal: 'SIGKILL' });
  assert.equal((await daemon.cli(['list'])).code, 0, 'the daemon still answers');
  assert.doesNotMatch(daemon.output(), /critical service failed/);
});
