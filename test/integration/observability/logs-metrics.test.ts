import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cliEntry } from '../../helpers/paths.js';
import { startDaemon, tempDir, waitState, type DaemonHandle } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait-for.js';
import { isAlive } from '../../helpers/proc.js';

let daemon: DaemonHandle | null = null;
afterEach(async () => {
  await daemon?.cleanup();
  daemon = null;
});

test('a noisy service does not evict a quiet one; stderr is captured; lines carry timestamp, service and stream', async () => {
  daemon = await startDaemon(
    {
      quiet: "exec: sh -c 'echo the-only-line >&2; exec sleep 1000'\n",
      noisy: "exec: sh -c 'seq 1 50000; echo noisy-done; exec sleep 1000'\n",
    },
    ['-b', '1000'],
  );
  await waitFor(async () => (await daemon!.cli(['log', '-s', 'noisy'])).stdout.includes('noisy-done'), 20_000, 'noisy output');
  const quiet = await daemon.cli(['log', '-s', 'quiet']);
  assert.match(quiet.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[quiet\] stderr: the-only-line$/m);
  const noisy = (await daemon.cli(['log', '-s', 'noisy'])).stdout.trim().split('\n');
  assert.equal(noisy.length, 1000, 'the ring keeps -b lines per service');
  assert.match(noisy[0] ?? '', /\[noisy\] stdout: 49002$/, 'the last 1000 of 50,001 lines');
});

test('log follows: a new line reaches a follower promptly', async () => {
  const dir = tempDir();
  const trigger = path.join(dir, 'trigger');
  daemon = await startDaemon({ talker: `exec: sh -c 'echo hello; while :; do if [ -f ${trigger} ]; then echo fresh-line; rm ${trigger}; fi; sleep 0.02; done'\n` }, [], { dir });
  await waitState(daemon, 'talker', 'Running');
  const follower = spawn(process.execPath, [cliEntry, '-s', daemon.socket, 'log', 'talker'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  follower.stdout.on('data', (b: Buffer) => (out += b.toString()));
  try {
    // The retained line arrives first: from then on the follower is subscribed.
    await waitFor(() => out.includes('stdout: hello'), 5000, 'the follower to be subscribed');
    const t0 = Date.now();
    fs.writeFileSync(trigger, '');
    await waitFor(() => out.includes('fresh-line'), 3000, `the new line at the follower (written ${Date.now() - t0} ms ago)`);
  } finally {
    follower.kill();
  }
});

test('/metrics is Prometheus text with the documented series; /healthz is JSON', async () => {
  daemon = await startDaemon({ up: 'exec: sleep 1000\n', broken: "exec: sh -c 'exit 4'\nrestart: never\n" }, ['--metrics', '127.0.0.1:0']);
  const port = Number(/metrics served .*port=(\d+)/.exec(daemon.output())?.[1]);
  assert.ok(port > 0, daemon.output());
  await waitState(daemon, 'broken', 'Failure');
  await waitState(daemon, 'up', 'Running');
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  for (const series of ['zinit_service_state', 'zinit_service_restarts', 'zinit_service_last_exit_code', 'zinit_service_cpu_seconds', 'zinit_service_memory_bytes', 'zinit_orphans_reaped_total', 'zinit_service_last_stop_seconds', 'zinit_service_oom_kills_total'])
    assert.match(text, new RegExp(`^# TYPE ${series} (gauge|counter)$`, 'm'), series);
  assert.match(text, /^zinit_service_state\{service="up",state="Running"\} 1$/m);
  assert.match(text, /^zinit_service_last_exit_code\{service="broken"\} 4$/m);
  assert.match(text, /^zinit_service_memory_bytes\{service="up"\} [1-9]\d*$/m);
  for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) assert.match(line, /^[a-z_]+(\{[^}]*\})? -?[\d.e+-]+$/, `parses: ${line}`);
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  assert.equal(res.status, 503);
  const { containment, ...rest } = (await res.json()) as { containment?: { mode: string } };
  assert.deepEqual(rest, { status: 'degraded', services: 2, running: 1, failed: 1, blocked: 0, ready: false, notReady: ['broken'], probe: 'ready' });
  // The mode in force, as the log said it at start.
  assert.equal(containment?.mode, /containment: cgroup mode/.test(daemon.output()) ? 'cgroup' : 'proc', JSON.stringify(containment));
  const ready = await fetch(`http://127.0.0.1:${port}/healthz/ready`);
  assert.equal(ready.status, 503, '/healthz/ready is /healthz');
  // Liveness: the manager answers, a failed service does not make it dead.
  const live = await fetch(`http://127.0.0.1:${port}/healthz?probe=live`);
  assert.equal(live.status, 200);
  const { containment: _c, ...liveRest } = (await live.json()) as { containment?: unknown };
  assert.deepEqual(liveRest, { status: 'degraded', services: 2, running: 1, failed: 1, blocked: 0, ready: false, notReady: ['broken'], probe: 'live' });
  assert.equal((await fetch(`http://127.0.0.1:${port}/healthz/live`)).status, 200, '/healthz/live is ?probe=live');
  assert.equal((await fetch(`http://127.0.0.1:${port}/healthz/nothing`)).status, 404);
});

test('a shutdown that waits logs once a second what it waits on and the time left before SIGKILL', async () => {
  daemon = await startDaemon({ slow: "exec: sh -c 'trap \"\" TERM; while :; do sleep 1; done'\nshutdown_timeout: 3.5\n" });
  await waitState(daemon, 'slow', 'Running');
  const r = await daemon.cli(['shutdown']);
  assert.equal(r.code, 0);
  assert.equal(await daemon.exited(), 0);
  // Ticks at about 1, 2 and 3 s of a 3.5 s grace; a loaded machine may delay one past the deadline, so two at least.
  const lines = [...daemon.output().matchAll(/^(\S+) \S+\s+shutdown in progress, waiting for: slow \(SIGKILL in (\d+\.\d) s\)/gm)];
  assert.ok(lines.length >= 2, `at least two progress lines:\n${daemon.output()}`);
  const at = lines.map((m) => Date.parse(m[1] ?? ''));
  const left = lines.map((m) => Number(m[2]));
  for (let i = 1; i < lines.length; i++) {
    // An interval timer never fires early: consecutive lines are at least about a second apart, and the time left falls.
    assert.ok((at[i] ?? 0) - (at[i - 1] ?? 0) >= 950, `lines ${i - 1} and ${i} are a second apart: ${at.join(', ')}`);
    assert.ok((left[i] ?? Infinity) < (left[i - 1] ?? 0), `the time left falls: ${left.join(', ')}`);
  }
});

test('log: file appends timestamped lines and rotates at log_max_size keeping log_max_files', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'logs', 'chatty.log');
  daemon = await startDaemon({ chatty: `exec: sh -c 'seq 1 3000; echo done-writing; exec sleep 1000'\nlog: file\nlog_file: ${file}\nlog_max_size: 8K\nlog_max_files: 2\n` }, [], { dir });
  // Rotation renames the file under a reader: a missing file is "not yet", not a failure.
  const current = (): string => (fs.existsSync(file) ? fs.readFileSync(file, { encoding: 'utf8', flag: 'r' }) : '');
  await waitFor(() => {
    try {
      return current().includes('done-writing');
    } catch {
      return false;
    }
  }, 10_000, 'the file to get the last line');
  const files = fs.readdirSync(path.dirname(file)).sort();
  assert.deepEqual(files, ['chatty.log', 'chatty.log.1', 'chatty.log.2']);
  for (const f of files) assert.ok(fs.statSync(path.join(path.dirname(file), f)).size <= 8 * 1024, `${f} within the size`);
  assert.match(fs.readFileSync(file, 'utf8'), /^\d{4}-\d\d-\d\dT[\d:.]+Z stdout: done-writing$/m);
  assert.match((await daemon.cli(['log', '-s', 'chatty'])).stdout, /\[chatty\] stdout: done-writing/, 'the ring has it too');
});

test('a reload that names another log_file: the restarted service writes to the new file, the old one keeps what came before', async () => {
  const dir = tempDir();
  const oldFile = path.join(dir, 'old.log');
  const newFile = path.join(dir, 'new.log');
  const unit = (file: string, word: string): string => `exec: sh -c 'echo ${word}; exec sleep 1000'\nlog: file\nlog_file: ${file}\n`;
  daemon = await startDaemon({ svc: unit(oldFile, 'first-config') }, [], { dir });
  const read = (f: string): string => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '');
  await waitFor(() => read(oldFile).includes('first-config'), 10_000, 'the first line in the old file');
  const firstPid = (await waitState(daemon, 'svc', 'Running')).pid;
  fs.writeFileSync(path.join(daemon.configDir, 'svc.yaml'), unit(newFile, 'second-config'));
  assert.equal((await daemon.cli(['reload'])).code, 0);
  await waitFor(() => read(newFile).includes('second-config'), 10_000, `the restarted service's line in ${newFile}`);
  assert.notEqual((await waitState(daemon, 'svc', 'Running')).pid, firstPid, 'the changed service was restarted');
  assert.doesNotMatch(read(oldFile), /second-config/);
  assert.match(read(oldFile), /first-config/);
});

test('a log file whose directory is removed while the service prints is reopened in a recreated directory, and the log says so once', async () => {
  const dir = tempDir();
  const logDir = path.join(dir, 'logs');
  const file = path.join(logDir, 'ticker.log');
  daemon = await startDaemon({ ticker: `exec: sh -c 'i=0; while :; do i=$((i+1)); echo tick-$i; sleep 0.02; done'\nlog: file\nlog_file: ${file}\n` }, [], { dir });
  const { pid } = await waitState(daemon, 'ticker', 'Running');
  const ticks = (): number[] => {
    try {
      return [...fs.readFileSync(file, 'utf8').matchAll(/stdout: tick-(\d+)$/gm)].map((m) => Number(m[1]));
    } catch {
      return [];
    }
  };
  await waitFor(() => ticks().length >= 5, 10_000, 'lines in the log file');
  const fdsToFile = (): string[] =>
    fs.readdirSync(`/proc/${daemon!.pid}/fd`).flatMap((fd) => {
      try {
        const target = fs.readlinkSync(`/proc/${daemon!.pid}/fd/${fd}`);
        return target.startsWith(file) ? [target] : [];
      } catch {
        return [];
      }
    });
  assert.deepEqual(fdsToFile(), [file]);

  // maxRetries: the daemon may recreate the file between rm's unlink and its rmdir (ENOTEMPTY); rm tries again.
  fs.rmSync(logDir, { recursive: true, maxRetries: 5 });
  const removedAt = Date.now();
  const reopened = await waitFor(() => {
    const t = ticks();
    return t.length >= 5 ? t : null;
  }, 10_000, 'lines in the recreated file');
  assert.ok(Date.now() - removedAt < 5000, 'reopened within seconds');
  // A fresh file: it starts where the printing was, not with what went to the deleted one.
  assert.ok((reopened[0] ?? 0) > 5, `first line in the new file: tick-${reopened[0]}`);
  reopened.forEach((n, i) => assert.equal(n, (reopened[0] ?? 0) + i, 'consecutive'));
  // The daemon holds the new file, not the deleted inode.
  assert.deepEqual(fdsToFile(), [file]);
  const notices = daemon.output().split('\n').filter((l) => l.includes('log file removed; reopened'));
  assert.equal(notices.length, 1, daemon.output());
  assert.match(notices[0] ?? '', /service=ticker/);
  assert.ok(notices[0]?.includes(logDir), notices[0]);
  assert.equal((await waitState(daemon, 'ticker', 'Running')).pid, pid, 'the same process kept running');
  assert.ok(isAlive(pid));
});

test('--log-format json writes one JSON object per line', async () => {
  daemon = await startDaemon({ one: 'exec: sleep 1000\n' }, ['--log-format', 'json']);
  await waitState(daemon, 'one', 'Running');
  const lines = daemon.output().trim().split('\n');
  const parsed = lines.map((l) => JSON.parse(l) as { level: string; message: string; service?: string; timestamp: string });
  const spawned = parsed.find((p) => p.message === 'service spawned');
  assert.equal(spawned?.service, 'one');
  assert.equal(spawned?.level, 'info');
  assert.match(spawned?.timestamp ?? '', /^\d{4}-\d\d-\d\dT/);
});

test('an open log follower does not hold up the shutdown, and is ended by it', async () => {
  daemon = await startDaemon({ talker: "exec: sh -c 'echo hi; exec sleep 1000'\n" });
  await waitState(daemon, 'talker', 'Running');
  const follower = spawn(process.execPath, [cliEntry, '-s', daemon.socket, 'log'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  let followerExit: number | null | undefined;
  follower.stdout.on('data', (b: Buffer) => (out += b.toString()));
  follower.once('exit', (code) => (followerExit = code));
  await waitFor(() => out.includes('stdout: hi'), 5000, 'the follower to be subscribed');
  assert.equal((await daemon.cli(['shutdown'])).code, 0);
  assert.equal(await daemon.exited(10_000), 0);
  await waitFor(() => followerExit !== undefined, 5000, 'the follower to end with the daemon');
});
