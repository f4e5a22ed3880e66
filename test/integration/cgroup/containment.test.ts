// The daemon's cgroup mode with real processes: membership of env-cleared escapees, stops, leftovers, runs, limits and the mode it reports.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { runCli, startDaemon, statusOf, tempDir, waitState, writeServices, type DaemonHandle } from '../../helpers/daemon.js';
import { cliEntry } from '../../helpers/paths.js';
import { populated } from '../../helpers/daemon-cgroups.js';
import { cgroupInstanceKey } from '../../../src/os/cgroup-detect.js';
import { fateOf, isAlive, type ProcIdentity } from '../../helpers/proc.js';
import { waitFor } from '../../helpers/wait-for.js';
import { metricsPort } from '../health/health-helpers.js';
import {
  childCgroups,
  cmdlineOf,
  environOf,
  expectedBase,
  ignoresSignal,
  liveProcsIn,
  ownCgroupDir,
  removeCgroupTree,
  sessionOf,
} from './daemon-cgroups.js';
import { cgroupOf, hierarchyPath, makeTestCgroup, skipReason } from './test-cgroups.js';

const skip = skipReason();
if (skip !== false) console.log(`# cgroup containment tests skipped: ${skip}`);

const SIGTERM = 15;
const daemons: DaemonHandle[] = [];
const recorded: ProcIdentity[] = [];
const bases: string[] = [];

afterEach(async () => {
  // Newest first: a second daemon on a first one's directory is stopped before that directory goes.
  for (const d of daemons.splice(0).reverse()) await d.cleanup();
  // By pid and start time, so a reused pid is never killed.
  for (const id of recorded.splice(0)) {
    if (fateOf(id) === 'alive') process.kill(id.pid, 'SIGKILL');
  }
  for (const b of bases.splice(0)) await removeCgroupTree(b);
});

function record(pid: number): ProcIdentity {
  const id = { pid, startTime: sessionOf(pid).startTime };
  recorded.push(id);
  return id;
}

async function start(files: Record<string, string>, args: readonly string[] = [], dir?: string): Promise<{ d: DaemonHandle; base: string }> {
  const d = await startDaemon(files, args, dir === undefined ? {} : { dir });
  daemons.push(d);
  const base = expectedBase(d.socket);
  bases.push(base);
  return { d, base };
}

/** A service whose main execs `sleep MAIN` after an env-cleared shell left `escapee` behind, setsid'd and double-forked. */
function escapeeService(escapee: string, main: number, extra = ''): string {
  const exec = `sh -c 'env -i /bin/sh -c "(setsid ${escapee} &)"; exec sleep ${main}'`;
  return `exec: ${JSON.stringify(exec)}\n${extra}`;
}

/**
 * The main pid (once it is `sleep MAIN`) and the live members of the leaf other than it once they are
 * exactly `others` (command lines): the double fork's intermediate processes have come and gone by then.
 */
async function membersOf(d: DaemonHandle, leaf: string, service: string, main: number, others: readonly string[]): Promise<{ main: number; others: number[] }> {
  const s = await waitState(d, service, 'Running', 15_000);
  return waitFor(() => {
    if (cmdlineOf(s.pid) !== `sleep ${main}`) return null;
    const rest = liveProcsIn(leaf).filter((p) => p !== s.pid);
    const cmds = rest.map(cmdlineOf);
    if (!liveProcsIn(leaf).includes(s.pid) || cmds.length !== others.length || !others.every((c) => cmds.includes(c))) return null;
    return { main: s.pid, others: rest };
  }, 15_000, `${leaf} to hold sleep ${main} and ${others.join(', ')}`);
}

async function timedStop(d: DaemonHandle, service: string): Promise<number> {
  const t0 = Date.now();
  const r = await d.cli(['stop', service], 60_000);
  assert.equal(r.code, 0, r.stderr);
  return Date.now() - t0;
}

void test('membership: an env-cleared, setsid, double-forked escapee is in the service leaf and marked escaped', { skip }, async () => {
  const { d, base } = await start({ esc: escapeeService('sleep 4241', 1241) });
  const leaf = `${base}/services/esc.service`;
  const { main, others } = await membersOf(d, leaf, 'esc', 1241, ['sleep 4241']);
  const escapee = others[0] ?? 0;
  record(main);
  record(escapee);

  assert.deepEqual(liveProcsIn(leaf).sort(), [main, escapee].sort(), 'the leaf holds the main process and the escapee');
  assert.equal(cgroupOf(escapee), hierarchyPath(leaf), "the escapee's /proc/PID/cgroup names the leaf");
  assert.equal(cgroupOf(main), hierarchyPath(leaf));
  // The main carries the daemon's tag; the escapee nothing but the PWD that dash exports itself.
  assert.ok(environOf(main).includes('ZINIT_TS_SERVICE=esc'), 'the main process is tagged');
  assert.deepEqual(
    environOf(escapee).filter((e) => !e.startsWith('PWD=')),
    [],
    `the escapee's environment is cleared: ${environOf(escapee).join(' ')}`,
  );
  const m = sessionOf(main);
  const e = sessionOf(escapee);
  assert.notEqual(e.session, m.session, 'the escapee is in a session of its own');
  assert.notEqual(e.ppid, main, 'the escapee does not descend from the main process');

  const tree = await d.cli(['tree', 'esc']);
  assert.equal(tree.code, 0, tree.stderr);
  assert.match(tree.stdout, new RegExp(`\\b${escapee} sleep 4241 \\(escaped\\)$`, 'm'), tree.stdout);
  assert.match(tree.stdout, new RegExp(`\\b${main} sleep 1241$`, 'm'), 'the main process is not marked');
  const status = await d.cli(['status', 'esc']);
  assert.match(status.stdout, new RegExp(`^cgroup: +${leaf}$`, 'm'), status.stdout);
});

void test('stop, graceful first: an escapee with a TERM trap gets SIGTERM, stop returns with it gone, the leaf is removed', { skip }, async () => {
  const dir = tempDir();
  const marker = path.join(dir, 'marker');
  const script = path.join(dir, 'term.sh');
  fs.writeFileSync(script, `trap 'echo term > ${marker}; exit 0' TERM\nsleep 5242 &\nwait\n`);
  const { d, base } = await start({ esc: escapeeService(`/bin/sh ${script}`, 1242) }, [], dir);
  const leaf = `${base}/services/esc.service`;
  const { main, others } = await membersOf(d, leaf, 'esc', 1242, [`/bin/sh ${script}`, 'sleep 5242']);
  const ids = [main, ...others].map(record);
  const shell = others.find((p) => cmdlineOf(p) === `/bin/sh ${script}`) ?? 0;
  assert.notEqual(sessionOf(shell).session, sessionOf(main).session);
  assert.ok(!ignoresSignal(shell, SIGTERM));

  await timedStop(d, 'esc');
  assert.deepEqual(
    ids.map((id) => fateOf(id)).filter((f) => f === 'alive'),
    [],
    'stop returned with the main process and every escapee gone',
  );
  assert.equal(fs.readFileSync(marker, 'utf8'), 'term\n', 'the escapee ran its TERM handler');
  assert.doesNotMatch(d.output(), /stop timed out/, 'no SIGKILL was needed');
  await waitFor(() => !fs.existsSync(leaf), 10_000, `${leaf} to be removed`);
  assert.equal((await statusOf(d, 'esc')).state, 'Success');
});

void test('deadline: an escapee that ignores SIGTERM is killed at shutdown_timeout through its cgroup', { skip }, async () => {
  const dir = tempDir();
  const script = path.join(dir, 'ignore.sh');
  fs.writeFileSync(script, `trap '' TERM\nsleep 5243 &\nwait\n`);
  const { d, base } = await start({ esc: escapeeService(`/bin/sh ${script}`, 1243, 'shutdown_timeout: 1\n') }, [], dir);
  const leaf = `${base}/services/esc.service`;
  const { main, others } = await membersOf(d, leaf, 'esc', 1243, [`/bin/sh ${script}`, 'sleep 5243']);
  const ids = [main, ...others].map(record);
  // Neither the main's group or session, nor TERM, can reach these: only the kill at the deadline ends them.
  for (const p of others) {
    assert.ok(ignoresSignal(p, SIGTERM), `${cmdlineOf(p)} ignores SIGTERM`);
    assert.notEqual(sessionOf(p).session, sessionOf(main).session);
    assert.notEqual(sessionOf(p).pgrp, sessionOf(main).pgrp);
  }

  const ms = await timedStop(d, 'esc');
  assert.ok(ms >= 950, `stop waited for shutdown_timeout (${ms} ms)`);
  assert.deepEqual(
    ids.map((id) => fateOf(id)).filter((f) => f === 'alive'),
    [],
    'every process of the leaf is dead once stop returns',
  );
  assert.match(d.output(), /stop timed out, sending SIGKILL service=esc/);
  await waitFor(() => !fs.existsSync(leaf), 10_000, `${leaf} to be removed`);
});

void test('populated 0 ends the stop: the leaf is populated before, gone after, and the stop is prompt', { skip }, async () => {
  const { d, base } = await start({ esc: escapeeService('sleep 4244', 1244, 'shutdown_timeout: 30\n') });
  const leaf = `${base}/services/esc.service`;
  const { main, others } = await membersOf(d, leaf, 'esc', 1244, ['sleep 4244']);
  const ids = [main, ...others].map(record);
  assert.ok(populated(leaf), `${leaf}/cgroup.events says populated 1`);

  const ms = await timedStop(d, 'esc');
  // Far below the 30 s deadline; the bound leaves room for the CLI's own start on a busy machine.
  assert.ok(ms < 5000, `stop returned in ${ms} ms`);
  assert.doesNotMatch(d.output(), /stop timed out/);
  assert.deepEqual(
    ids.map((id) => fateOf(id)).filter((f) => f === 'alive'),
    [],
  );
  await waitFor(() => !fs.existsSync(leaf), 10_000, `${leaf} to be removed`);
});

void test('a crash loop that ends in Failure leaves no cgroup behind', { skip }, async () => {
  const { d, base } = await start({ crash: `exec: sh -c 'sleep 0.05; exit 3'\nrestart_delay: 50ms\nmax_restarts: 5\n` });
  const s = await waitState(d, 'crash', 'Failure', 15_000);
  assert.equal(s.restarts, 5);
  assert.equal(s.exit?.code, 3);
  assert.ok(fs.existsSync(`${base}/services`), 'the daemon is in cgroup mode');
  await waitFor(() => !childCgroups(`${base}/services`).includes('crash.service'), 10_000, 'crash.service to be removed');
  assert.deepEqual(childCgroups(`${base}/services`), [], `${base}/services holds no leaf`);
});

void test('leftovers of a SIGKILLed daemon are found in its cgroups and killed by the next daemon on the same socket', { skip }, async () => {
  const dir = tempDir();
  const files = { esc: escapeeService('sleep 4246', 1246) };
  const first = await start(files, [], dir);
  const leaf = `${first.base}/services/esc.service`;
  const { main, others } = await membersOf(first.d, leaf, 'esc', 1246, ['sleep 4246']);
  const escapee = others[0] ?? 0;
  const ids = [main, escapee].map(record);

  // The daemon alone: its services' processes are in other cgroups and sessions.
  first.d.child.kill('SIGKILL');
  await first.d.exited();
  assert.deepEqual(
    ids.map((id) => fateOf(id)),
    ['alive', 'alive'],
    'a SIGKILLed daemon leaves its services running',
  );

  const second = await start(files, [], dir);
  assert.equal(second.base, first.base, 'the same socket gives the same base');
  await waitFor(() => ids.every((id) => fateOf(id) !== 'alive'), 10_000, 'the old main and escapee to be killed');
  const log = second.d.output();
  for (const p of [main, escapee]) assert.match(log, new RegExp(`leftover of a previous zinit-ts found in its cgroup; killing it pid=${p} cgroup=${leaf}`), log);
  // The new daemon starts the service afresh in the same leaf.
  const again = await membersOf(second.d, leaf, 'esc', 1246, ['sleep 4246']);
  [again.main, ...again.others].forEach(record);
  assert.notEqual(again.main, main);
});

void test('negative control: with --cgroup off the env-cleared escapee outlives stop', { skip }, async () => {
  const { d } = await start({ esc: escapeeService('sleep 4247', 1247) }, ['--cgroup', 'off']);
  const s = await waitState(d, 'esc', 'Running', 15_000);
  const mainId = record(s.pid);
  // No leaf to read: the escapee is found by its command line, cleared environment and session of its own.
  const escapee = await waitFor(() => {
    const found = fs
      .readdirSync('/proc')
      .filter((n) => /^\d+$/.test(n))
      .map(Number)
      .filter((p) => cmdlineOf(p) === 'sleep 4247');
    return found.length === 1 ? found[0] : null;
  }, 15_000, 'the escapee sleep 4247');
  const id = record(escapee);
  assert.deepEqual(environOf(escapee).filter((e) => !e.startsWith('PWD=')), []);
  assert.notEqual(sessionOf(escapee).session, sessionOf(s.pid).session);
  assert.doesNotMatch(cgroupOf(escapee) ?? '', /zinit-ts-/, 'no cgroup of ours holds it');

  await timedStop(d, 'esc');
  assert.notEqual(fateOf(mainId), 'alive', 'the main process is stopped');
  assert.equal(fateOf(id), 'alive', 'without cgroups nothing finds the escapee: it is still running after stop');
});

void test('a transient run: its env-cleared double-forked leftover is killed when it ends, and runs/ is empty', { skip }, async () => {
  const { d, base } = await start({});
  // The command prints the leftover's pid and its cgroup while it is certainly alive.
  const script = `p=$(env -i /bin/sh -c '(setsid sleep 4248 >/dev/null 2>&1 & echo $!)'); echo "leftover=$p"; cat /proc/$p/cgroup`;
  const r = await d.cli(['run', '--', 'sh', '-c', script], 30_000);
  assert.equal(r.code, 0, r.stderr);
  const pid = Number(/^leftover=(\d+)$/m.exec(r.stdout)?.[1]);
  assert.ok(pid > 0, r.stdout);
  assert.match(r.stdout, new RegExp(`^0::${hierarchyPath(base)}/runs/[^/\\n]+$`, 'm'), 'the leftover was in the run\'s leaf');
  // Recorded only if still there: once gone, its pid may be anyone's.
  if (cmdlineOf(pid) === 'sleep 4248') {
    try {
      record(pid);
    } catch {
      /* gone meanwhile */
    }
  }
  await waitFor(() => !isAlive(pid) || cmdlineOf(pid) !== 'sleep 4248', 10_000, 'the leftover to be killed');
  assert.match(d.output(), /transient run finished .*leftoversKilled=1/);
  await waitFor(() => childCgroups(`${base}/runs`).length === 0, 10_000, `${base}/runs to be empty`);
});

void test('limits where the kernel cannot enforce them: status says so; --require-cgroup blocks the service alone', { skip }, async () => {
  const lim = 'exec: sleep 1249\nmemory_max: 64M\npids_max: 20\n';
  const { d, base } = await start({ lim });
  const s = await waitState(d, 'lim', 'Running', 15_000);
  record(s.pid);
  assert.ok(!/\bmemory\b/.test(fs.readFileSync(`${base}/cgroup.controllers`, 'utf8')), 'this test expects no memory controller');
  const status = await d.cli(['status', 'lim']);
  assert.match(status.stdout, /^limit NOT enforced: memory_max: .*memory controller is not available/m, status.stdout);
  assert.match(status.stdout, /^limit NOT enforced: pids_max: .*pids controller is not available/m, status.stdout);
  // README: "status, the log and check say so".
  assert.match(d.output(), /limit not enforced: the memory controller is not available.*service=lim limits=memory_max,pids_max/, d.output());
  const check = await d.cli(['check', '-c', d.configDir]);
  assert.equal(check.code, 0, check.stderr);
  assert.match(check.stdout, /^limits: lim: memory_max, pids_max NOT enforced on this machine: the memory controller is not available/m, check.stdout);
  const strictCheck = await d.cli(['check', '-c', d.configDir, '--require-cgroup']);
  assert.equal(strictCheck.code, 1, 'check --require-cgroup refuses a limit the kernel cannot enforce');

  const strict = await start({ lim, plain: 'exec: sleep 1250\n' }, ['--require-cgroup']);
  const plain = await waitState(strict.d, 'plain', 'Running', 15_000);
  record(plain.pid);
  const blocked = await waitState(strict.d, 'lim', 'Blocked', 15_000);
  assert.match(blocked.reason ?? '', /memory_max/);
  assert.match(blocked.reason ?? '', /--require-cgroup/);
  assert.equal(blocked.pid, 0);
  assert.ok(!fs.existsSync(`${strict.base}/services/lim.service`), 'no leaf for the blocked service');
  assert.deepEqual(liveProcsIn(`${strict.base}/services/plain.service`), [plain.pid]);
  assert.match(strict.d.output(), /service not started service=lim reason="?memory_max, pids_max cannot be enforced here/, strict.d.output());
});

/** What a base made in our cgroup is offered: its parent's subtree_control. */
function offeredControllers(): string[] {
  try {
    return fs.readFileSync(path.join(ownCgroupDir(), 'cgroup.subtree_control'), 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
}

void test('limits enforced where the pids and memory controllers are available', { skip }, async (t) => {
  const offered = offeredControllers();
  const missing = ['memory', 'pids'].filter((c) => !offered.includes(c));
  if (missing.length > 0) {
    const why = `${ownCgroupDir()} offers its children [${offered.join(' ')}]: no ${missing.join(', ')} controller, so limits cannot be enforced here`;
    t.diagnostic(why);
    t.skip(why);
    return;
  }
  const dir = tempDir();
  const innerExit = path.join(dir, 'inner-exit');
  // The inner shell forks 20 sleeps; dash exits 2 on the first fork the kernel refuses, 0 if none is. The outer one stays as the main.
  const forker = String.raw`sh -c 'sh -c "for i in \$(seq 20); do sleep 5251 & done"; echo $? > ` + innerExit + `; exec sleep 1251'`;
  const hog = `${process.execPath} -e "const a = []; for (let i = 0; i < 200; i++) a.push(Buffer.alloc(1 << 20, 1)); console.log('allocated')"`;
  const { d, base } = await start(
    { forker: `exec: ${JSON.stringify(forker)}\npids_max: 5\n`, hog: `exec: ${JSON.stringify(hog)}\nmemory_max: 32M\nrestart: never\n` },
    [],
    dir,
  );
  const controllers = fs.readFileSync(`${base}/cgroup.controllers`, 'utf8');
  assert.match(controllers, /\bpids\b/);
  assert.match(controllers, /\bmemory\b/);

  const leaf = `${base}/services/forker.service`;
  await waitFor(() => fs.existsSync(innerExit) && fs.readFileSync(innerExit, 'utf8').trim() !== '', 15_000, 'the forking shell to give up');
  assert.equal(fs.readFileSync(innerExit, 'utf8').trim(), '2', 'dash stopped at a refused fork');
  assert.equal(fs.readFileSync(`${leaf}/pids.max`, 'utf8').trim(), '5');
  const maxHits = Number(/^max (\d+)$/m.exec(fs.readFileSync(`${leaf}/pids.events`, 'utf8'))?.[1]);
  assert.ok(maxHits > 0, 'pids.events counts forks refused at pids.max');
  assert.ok(Number(fs.readFileSync(`${leaf}/pids.current`, 'utf8')) <= 5);
  for (const p of liveProcsIn(leaf)) record(p);

  const hogStatus = await waitFor(async () => {
    const s = await statusOf(d, 'hog');
    return s.exit !== null && s.state !== 'Running' ? s : null;
  }, 15_000, 'hog to be killed');
  assert.equal((hogStatus.exit as { oomKill?: boolean } | null)?.oomKill, true, JSON.stringify(hogStatus));
  const text = await d.cli(['status', 'hog']);
  assert.match(text.stdout, /out of memory/, text.stdout);
});

void test('the mode in force: /healthz and the log say cgroup with the base in auto, proc with why under --cgroup off', { skip }, async () => {
  const { d, base } = await start({ up: 'exec: sleep 1252\n' }, ['--metrics', '127.0.0.1:0']);
  const up = await waitState(d, 'up', 'Running', 15_000);
  record(up.pid);
  const health = (await (await fetch(`http://127.0.0.1:${metricsPort(d)}/healthz`)).json()) as { containment?: unknown };
  assert.deepEqual(health.containment, { mode: 'cgroup', cgroup: base });
  assert.match(d.output(), new RegExp(`containment: cgroup mode in ${base} `));
  assert.ok(liveProcsIn(`${base}/manager`).includes(d.pid), 'the daemon is in manager/');
  const status = await d.cli(['status', 'up']);
  assert.match(status.stdout, new RegExp(`^cgroup: {3}${base}/services/up\\.service$`, 'm'), status.stdout);
  // stats adds the kernel's own accounting of the leaf: cpu.stat is there without any controller.
  const stats = await d.cli(['stats', 'up', '--json']);
  assert.equal(stats.code, 0, stats.stderr);
  const answer = JSON.parse(stats.stdout) as { cgroup?: { cpuPercent: number | null; memoryBytes: number | null } };
  assert.equal(typeof answer.cgroup?.cpuPercent, 'number', stats.stdout);
  assert.ok((answer.cgroup?.cpuPercent ?? -1) >= 0);
  assert.equal(answer.cgroup?.memoryBytes, fs.existsSync(`${base}/services/up.service/memory.current`) ? answer.cgroup?.memoryBytes : null, 'memory.current only with the memory controller');
  assert.equal(cgroupOf(d.pid), hierarchyPath(`${base}/manager`));
  // A normal exit removes the base it made.
  d.child.kill('SIGTERM');
  assert.equal(await d.exited(), 0);
  assert.ok(!fs.existsSync(base), `${base} is removed at exit`);

  const off = await start({ up: 'exec: sleep 1253\n' }, ['--metrics', '127.0.0.1:0', '--cgroup', 'off']);
  const upOff = await waitState(off.d, 'up', 'Running', 15_000);
  record(upOff.pid);
  const healthOff = (await (await fetch(`http://127.0.0.1:${metricsPort(off.d)}/healthz`)).json()) as { containment?: { mode?: unknown; why?: unknown; cgroup?: unknown } };
  assert.equal(healthOff.containment?.mode, 'proc');
  assert.match(String(healthOff.containment?.why), /--cgroup off/);
  assert.equal(healthOff.containment?.cgroup, undefined);
  assert.match(off.d.output(), /containment: \/proc discovery: /);
  const statusOff = await off.d.cli(['status', 'up']);
  assert.match(statusOff.stdout, /^cgroup: {3}none \(\/proc discovery: cgroup mode is off \(--cgroup off\)/m, statusOff.stdout);
  assert.ok(!fs.existsSync(off.base), 'no cgroup is made with --cgroup off');
  assert.doesNotMatch(cgroupOf(upOff.pid) ?? '', /zinit-ts-/);
});

void test('--cgroup values that cannot be used: a relative path is refused by the CLI, a path outside cgroup2 makes the daemon exit 1', { skip }, async () => {
  const dir = tempDir();
  try {
    const socket = path.join(dir, 'zinit.sock');
    fs.mkdirSync(path.join(dir, 'services'));
    const rel = await runCli(['init', '-c', path.join(dir, 'services'), '--cgroup', 'relative'], { socket });
    assert.equal(rel.code, 1);
    assert.match(rel.stderr, /--cgroup must be auto, off or an absolute path to a cgroup v2 directory, got "relative"/);
    const both = await runCli(['init', '-c', path.join(dir, 'services'), '--cgroup', 'off', '--require-cgroup'], { socket });
    assert.equal(both.code, 1);
    assert.match(both.stderr, /--require-cgroup cannot be used with --cgroup off/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }

  for (const target of [tempDir('zinit-ts-not-a-cgroup-'), '/nonexistent/zinit-ts-cgroup']) {
    const d = await startDaemon({ up: 'exec: sleep 1254\n' }, ['--cgroup', target], { waitReady: false });
    daemons.push(d);
    assert.equal(await d.exited(15_000), 1, d.output());
    assert.match(d.output(), new RegExp(`${target}: not inside a mounted cgroup2 filesystem`), d.output());
    assert.doesNotMatch(d.output(), /services loaded/);
    if (target.startsWith('/nonexistent')) assert.ok(!fs.existsSync(target), 'nothing is made at the path');
    else fs.rmdirSync(target);
  }
});

/** A daemon started inside `cgroup` (its first instruction there), alone in it unless another is. */
async function startIn(cgroup: string, files: Record<string, string>): Promise<{ child: ChildProcess; socket: string; output: () => string; dir: string }> {
  const dir = tempDir();
  const conf = path.join(dir, 'services');
  writeServices(conf, files);
  const socket = path.join(dir, 'zinit.sock');
  const child = spawn('/bin/sh', ['-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', cgroup, process.execPath, cliEntry, '-s', socket, 'init', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  owned.push({ child, dir });
  await waitFor(() => out.includes('services loaded') || child.exitCode !== null, 15_000, `daemon in ${cgroup} ready:\n${out}`);
  return { child, socket, output: () => out, dir };
}

const owned: { child: ChildProcess; dir: string }[] = [];
afterEach(async () => {
  for (const { child, dir } of owned.splice(0).reverse()) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await waitFor(() => child.exitCode !== null || child.signalCode !== null, 30_000, 'daemon exit').catch(() => child.kill('SIGKILL'));
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

void test('a daemon alone in its cgroup owns it; a second daemon started there takes a directory of its own and leaves the first one\'s services alone', { skip }, async () => {
  const shared = makeTestCgroup();
  bases.push(shared);
  const a = await startIn(shared, { sa: 'exec: sleep 1261\n' });
  assert.match(a.output(), new RegExp(`containment: cgroup mode in ${shared} `), a.output());
  const saPid = await waitFor(() => liveProcsIn(`${shared}/services/sa.service`)[0] ?? null, 15_000, 'sa in its leaf');
  const saId = record(saPid);
  assert.deepEqual(liveProcsIn(`${shared}/manager`), [a.child.pid], 'the first daemon sits in manager/');

  const b = await startIn(shared, { sb: 'exec: sleep 1262\n' });
  const bBase = `${shared}/zinit-ts-${cgroupInstanceKey(b.socket)}`;
  assert.match(b.output(), new RegExp(`containment: cgroup mode in ${bBase} `), b.output());
  assert.doesNotMatch(b.output(), /leftover/, 'the first daemon\'s service is not a leftover');
  const sbPid = await waitFor(() => liveProcsIn(`${bBase}/services/sb.service`)[0] ?? null, 15_000, 'sb in its leaf');
  record(sbPid);
  b.child.kill('SIGTERM');
  await waitFor(() => b.child.exitCode !== null, 30_000, 'the second daemon to exit');
  assert.equal(fateOf(saId), 'alive', 'the second daemon\'s start and shutdown left sa running');
  assert.ok(!fs.existsSync(bBase), 'the second daemon removed its own directory');

  // The same --cgroup PATH for a second daemon while the first lives there: refused, naming the holder.
  const dir = tempDir();
  try {
    fs.mkdirSync(path.join(dir, 'services'));
    const r = await runCli(['init', '-c', path.join(dir, 'services'), '--cgroup', shared], { socket: path.join(dir, 'zinit.sock') });
    assert.equal(r.code, 1);
    assert.match(r.stdout + r.stderr, new RegExp(`${shared} belongs to another running zinit-ts \\(process ${a.child.pid} in its manager/\\)`));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(fateOf(saId), 'alive');
  // The first daemon's own shutdown stops sa (before the test's cleanup empties the cgroup by force).
  a.child.kill('SIGTERM');
  await waitFor(() => a.child.exitCode !== null, 30_000, 'the first daemon to exit');
  assert.equal(a.child.exitCode, 0);
  assert.notEqual(fateOf(saId), 'alive');
  assert.deepEqual(liveProcsIn(shared), [], 'nothing left in the cgroup it owned');
});

void test('a relative exec runs from the service\'s dir, as without cgroups; a missing dir is said as such', { skip }, async () => {
  const dir = tempDir();
  const app = path.join(dir, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'run.sh'), '#!/bin/sh\nexec sleep 1263\n', { mode: 0o755 });
  const { d, base } = await start({ rel: `exec: ./run.sh\ndir: ${app}\n`, nodir: `exec: ./run.sh\ndir: ${path.join(dir, 'missing')}\nrestart: never\n` }, [], dir);
  const s = await waitState(d, 'rel', 'Running', 15_000);
  record(s.pid);
  await waitFor(() => cmdlineOf(s.pid) === 'sleep 1263', 10_000, 'run.sh to exec its sleep');
  assert.deepEqual(liveProcsIn(`${base}/services/rel.service`), [s.pid]);
  await waitFor(() => /working directory .*missing does not exist/.test(d.output()), 10_000, `the missing dir reported:\n${d.output()}`);
});
