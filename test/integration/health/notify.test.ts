// notify: fd and notify: systemd with real processes: a service is Running when it says so and not before,
// PostgreSQL and Redis from Debian say so themselves, and no service inherits the manager's own NOTIFY_SOCKET.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { startDaemon, tempDir, waitState, type DaemonHandle } from '../../helpers/daemon.js';
import { pastShim } from '../../helpers/proc.js';
import { waitFor } from '../../helpers/wait-for.js';
import { freePorts } from '../real-daemons/loopback-ports.js';
import { environOf, healthStatus, requireServers, requireTools, startNotifyReceiver, timeIn, timeWritten, writeTime, type NotifyReceiver, type StatusWithHealth } from './health-helpers.js';

const run = promisify(execFile);

let daemon: DaemonHandle | null = null;
let receiver: NotifyReceiver | null = null;
afterEach(async () => {
  await daemon?.cleanup();
  daemon = null;
  await receiver?.stop();
  receiver = null;
});

/** A shell loop that waits for `file` to exist (the test creates it). */
const awaitFile = (file: string): string => `while [ ! -e ${file} ]; do sleep 0.02; done`;

/** A dependent that writes its start time to `file`, then sleeps. */
const dependent = (file: string, after: string): string => `exec: sh -c '${writeTime(file)}; exec sleep 1000'\nafter: [${after}]\n`;

test('notify: fd — NOTIFY_FD=3 in its environment; Running once it writes a newline on fd 3, not on bytes without one', async () => {
  const dir = tempDir();
  const go = path.join(dir, 'go');
  const wrote = path.join(dir, 'fd.wrote');
  const partialWrote = path.join(dir, 'partial.wrote');
  daemon = await startDaemon(
    {
      fd: `exec: sh -c '${awaitFile(go)}; ${writeTime(wrote)}; echo >&3; exec sleep 1000'\nnotify: fd\n`,
      after_fd: dependent(path.join(dir, 'after_fd.started'), 'fd'),
      // Negative control: it writes to fd 3 too, but never a newline.
      partial: `exec: sh -c '${awaitFile(go)}; printf almost >&3; ${writeTime(partialWrote)}; exec sleep 1000'\nnotify: fd\n`,
      after_partial: dependent(path.join(dir, 'after_partial.started'), 'partial'),
    },
    [],
    { dir },
  );
  const spawned = await waitFor(async () => {
    const s = await healthStatus(daemon!, 'fd');
    return s.pid > 0 ? s : null;
  }, 10_000, 'fd to be spawned');
  assert.equal(spawned.state, 'Spawned', 'not Running before it says so');
  await pastShim(spawned.pid);
  assert.equal(environOf(spawned.pid).get('NOTIFY_FD'), '3');
  assert.match(fs.readlinkSync(`/proc/${spawned.pid}/fd/3`), /^(socket|pipe):\[\d+\]$/, 'fd 3 is open in the service');
  assert.equal(fs.existsSync(path.join(dir, 'after_fd.started')), false, 'its dependent waits');

  fs.writeFileSync(go, '');
  await waitState(daemon, 'after_fd', 'Running');
  const wroteAt = await timeWritten(wrote, 'fd');
  const depAt = await timeWritten(path.join(dir, 'after_fd.started'), 'after_fd');
  assert.ok(depAt >= wroteAt, `the dependent started at ${depAt}, before the newline at ${wroteAt}`);
  assert.ok(depAt - wroteAt < 2000, `the dependent started ${(depAt - wroteAt).toFixed(1)} ms after the newline`);
  assert.equal((await healthStatus(daemon, 'fd')).state, 'Running');

  // The partial writer wrote at the same moment; its notification has had every chance to arrive.
  await waitFor(() => timeIn(partialWrote) !== null, 10_000, 'partial to write');
  for (let i = 0; i < 5; i++) {
    const p = await healthStatus(daemon, 'partial');
    assert.equal(p.state, 'Spawned', 'bytes without a newline are not READY');
    assert.equal((await healthStatus(daemon, 'after_partial')).pid, 0);
  }
  assert.equal(fs.existsSync(path.join(dir, 'after_partial.started')), false);
});

test('notify: systemd — STATUS= shows in status while Spawned; Running exactly after READY=1 from systemd-notify', async () => {
  const tools = requireTools();
  const dir = tempDir();
  const loading = path.join(dir, 'loading');
  const go = path.join(dir, 'go');
  const sent = path.join(dir, 'ready.sent');
  const notify = tools.systemdNotify;
  daemon = await startDaemon(
    {
      sd: `exec: sh -c '${notify} --status="loading cache"; touch ${loading}; ${awaitFile(go)}; ${writeTime(sent)}; ${notify} --ready --status="serving"; exec sleep 1000'\nnotify: systemd\n`,
      after_sd: dependent(path.join(dir, 'after_sd.started'), 'sd'),
      silent: 'exec: sleep 1000\nnotify: systemd\n',
    },
    [],
    { dir },
  );
  await waitFor(() => fs.existsSync(loading), 10_000, 'the first notification to be sent');
  const first = await waitFor(async () => {
    const s = await healthStatus(daemon!, 'sd');
    return s.health.statusText !== null ? s : null;
  }, 10_000, 'STATUS= in status');
  assert.equal(first.health.statusText, 'loading cache');
  assert.equal(first.state, 'Spawned', 'STATUS= alone is not READY=1');
  assert.match((await daemon.cli(['status', 'sd'])).stdout, /^status: +loading cache$/m);
  const socket = environOf(first.pid).get('NOTIFY_SOCKET');
  assert.ok(socket !== undefined && socket.length > 1, 'the service got NOTIFY_SOCKET');
  assert.equal(fs.existsSync(path.join(dir, 'after_sd.started')), false);

  fs.writeFileSync(go, '');
  await waitState(daemon, 'after_sd', 'Running');
  const sentAt = await timeWritten(sent, 'sd');
  const depAt = await timeWritten(path.join(dir, 'after_sd.started'), 'after_sd');
  assert.ok(depAt >= sentAt, `the dependent started at ${depAt}, before READY=1 was sent at ${sentAt}`);
  assert.ok(depAt - sentAt < 2000, `the dependent started ${(depAt - sentAt).toFixed(1)} ms after READY=1 was sent`);
  const ready = await healthStatus(daemon, 'sd');
  assert.equal(ready.state, 'Running');
  assert.equal(ready.health.statusText, 'serving');
  assert.match((await daemon.cli(['status', 'sd'])).stdout, /^status: +serving$/m);

  // Negative control: a notify: systemd service that never sends stays Spawned, with nothing to show.
  const silent = await healthStatus(daemon, 'silent');
  assert.equal(silent.state, 'Spawned');
  assert.equal(silent.health.statusText, null);
  await pastShim(silent.pid);
  const silentSocket = environOf(silent.pid).get('NOTIFY_SOCKET');
  assert.ok(silentSocket !== undefined && silentSocket !== socket, 'each service has a socket of its own');
});

/** Polls status until `name` is Running, running `check` the moment it first is; also returns the states seen before. */
async function atRunning<T>(d: DaemonHandle, name: string, check: () => Promise<T>): Promise<{ seen: string[]; status: StatusWithHealth; checked: T }> {
  const seen: string[] = [];
  const status = await waitFor(async () => {
    const s = await healthStatus(d, name);
    if (s.state !== 'Running') {
      if (seen.at(-1) !== s.state) seen.push(s.state);
      return null;
    }
    return s;
  }, 60_000, `${name} to be Running`, 0);
  return { seen, status, checked: await check() };
}

/** The manager's "service ready" line for `name` is no earlier than `acceptedAt`, when the server itself said it accepts connections (ms precision on both sides). */
function assertReadyNoEarlier(d: DaemonHandle, name: string, acceptedAt: number): void {
  const readyAt = new RegExp(`^(\\S+) info +service ready service=${name}\\b`, 'm').exec(d.output())?.[1];
  assert.ok(readyAt, `the manager logged ${name} ready:\n${d.output()}`);
  assert.ok(Number.isFinite(acceptedAt), `${name}'s own time parses`);
  assert.ok(Date.parse(readyAt) >= acceptedAt, `the manager had ${name} ready at ${readyAt}, before it accepted connections at ${new Date(acceptedAt).toISOString()}`);
}

const exitCodeOf = async (file: string, args: readonly string[]): Promise<{ code: number; stdout: string }> => {
  try {
    const { stdout } = await run(file, args, { timeout: 10_000 });
    return { code: 0, stdout: stdout.trim() };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: (e.stdout ?? '').trim() };
  }
};

test('PostgreSQL and Redis from Debian with notify: systemd and no probe: Running once they accept connections, not before', async () => {
  const bin = requireServers();
  const dir = tempDir();
  const [pgPort, redisPort] = await freePorts(2);
  const { uid, gid } = bin.postgresUser;
  fs.chownSync(dir, uid, gid);
  const pgData = path.join(dir, 'pgdata');
  const redisDir = path.join(dir, 'redis');
  fs.mkdirSync(redisDir);
  await run(bin.initdb, ['-D', pgData, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'], { uid, gid, cwd: dir, timeout: 60_000 });
  daemon = await startDaemon(
    {
      postgres: [
        `exec: ${bin.postgres} -D ${pgData} -k ${dir} -p ${pgPort} -c listen_addresses=127.0.0.1 -c log_timezone=UTC`,
        'user: postgres',
        'notify: systemd',
        'signal:',
        '  stop: SIGINT',
        '',
      ].join('\n'),
      // TZ=UTC: its log's local times are then comparable with the manager's.
      redis: `exec: ${bin.redisServer} --port ${redisPort} --bind 127.0.0.1 --dir ${redisDir} --save "" --appendonly no --daemonize no --supervised systemd\nnotify: systemd\nenv:\n  TZ: UTC\n`,
    },
    [],
    { dir },
  );
  const pg = await atRunning(daemon, 'postgres', () => exitCodeOf(bin.pgIsready, ['-h', dir, '-p', String(pgPort), '-U', 'postgres', '-d', 'postgres', '-t', '1']));
  assert.equal(pg.checked.code, 0, `pg_isready the moment postgres was Running: ${pg.checked.stdout}; states before: ${pg.seen.join(', ')}`);
  assert.equal(pg.status.health.probeError, null);
  const env = environOf(pg.status.pid);
  assert.ok(env.get('NOTIFY_SOCKET'), 'postgres, a service with user:, got NOTIFY_SOCKET too');
  // The order from both sides: postgres's own "ready to accept connections" line is no later than the manager's "service ready".
  const pgLog = (await daemon.cli(['log', '-s', 'postgres'])).stdout;
  const pgAccepted = /(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) UTC \[\d+\] LOG: +database system is ready to accept connections/.exec(pgLog)?.[1];
  assert.ok(pgAccepted, `postgres logged that it accepts connections:\n${pgLog}`);
  assertReadyNoEarlier(daemon, 'postgres', Date.parse(`${pgAccepted.replace(' ', 'T')}Z`));

  const redis = await atRunning(daemon, 'redis', () => exitCodeOf(bin.redisCli, ['-h', '127.0.0.1', '-p', String(redisPort), 'ping']));
  assert.deepEqual(redis.checked, { code: 0, stdout: 'PONG' }, `redis-cli ping the moment redis was Running; states before: ${redis.seen.join(', ')}`);
  // Redis says what it is doing with STATUS= as it does under systemd.
  assert.equal(redis.status.health.statusText, 'Ready to accept connections');
  assert.match((await daemon.cli(['status', 'redis'])).stdout, /^status: +Ready to accept connections$/m);
  const redisLog = (await daemon.cli(['log', '-s', 'redis'])).stdout;
  const redisAccepted = /:M (\d\d \w{3} \d{4} \d\d:\d\d:\d\d\.\d{3}) \* Ready to accept connections/.exec(redisLog)?.[1];
  assert.ok(redisAccepted, `redis logged that it accepts connections:\n${redisLog}`);
  assertReadyNoEarlier(daemon, 'redis', Date.parse(`${redisAccepted} UTC`));

  const r = await daemon.cli(['shutdown']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await daemon.exited(), 0);
});

test("services do not inherit the manager's NOTIFY_SOCKET or NOTIFY_FD; those that notify get their own", async () => {
  const tools = requireTools();
  const dir = tempDir();
  receiver = await startNotifyReceiver(tools.python3, path.join(dir, 'manager-notify.sock'));
  daemon = await startDaemon(
    {
      plain: 'exec: sleep 1000\n',
      sd: `exec: sh -c '${tools.systemdNotify} --ready --status=said-by-the-service; exec sleep 1000'\nnotify: systemd\n`,
      fd: "exec: sh -c 'echo >&3; exec sleep 1000'\nnotify: fd\n",
    },
    [],
    { dir, env: { ...process.env, NOTIFY_SOCKET: receiver.socket, NOTIFY_FD: '9' } },
  );
  const plain = await waitState(daemon, 'plain', 'Running');
  const fdSvc = await waitState(daemon, 'fd', 'Running');
  const sd = await waitState(daemon, 'sd', 'Running');
  const plainEnv = environOf(plain.pid);
  assert.equal(plainEnv.get('NOTIFY_SOCKET'), undefined, 'a plain service has no NOTIFY_SOCKET');
  assert.equal(plainEnv.get('NOTIFY_FD'), undefined, 'a plain service has no NOTIFY_FD');
  const sdSocket = environOf(sd.pid).get('NOTIFY_SOCKET');
  assert.ok(sdSocket !== undefined && sdSocket !== receiver.socket, `notify: systemd gets a socket of its own, not the manager's: ${sdSocket}`);
  const fdEnv = environOf(fdSvc.pid);
  assert.equal(fdEnv.get('NOTIFY_FD'), '3');
  assert.equal(fdEnv.get('NOTIFY_SOCKET'), undefined);
  // The manager's own socket is used by the manager alone: its READY=1 arrives there, the service's does not.
  await waitFor(() => receiver!.messages().some((m) => m.text.split('\n').includes('READY=1')), 10_000, "the manager's READY=1");
  assert.equal((await healthStatus(daemon, 'sd')).health.statusText, 'said-by-the-service', 'the service notified its own socket');
  const received = receiver.messages().map((m) => m.text);
  assert.ok(received.every((t) => !t.includes('said-by-the-service')), `only the manager spoke on its socket: ${JSON.stringify(received)}`);
});
