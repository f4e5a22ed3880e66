// PostgreSQL, Redis, nginx and a writer under the real manager: start order, their trees, a clean shutdown, durable data.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { TreeNode } from '../../../src/supervisor/process-tree.js';
import { tempDir } from '../../helpers/daemon.js';
import { startInNamespace, type NamespacedDaemon, type SentinelResult } from '../../helpers/namespace.js';
import { waitFor } from '../../helpers/wait-for.js';
import { requireBinaries } from './binaries.js';
import { freePorts } from './loopback-ports.js';
import { endNamespace, hostPid, hostProcess, namespaceInit, type HostProcess, type NamespaceInit } from './ns-proc.js';
import { postgresService, prepareStack, query, readLog, readWriterState, redisGet, redisService, stackServices, type Stack } from './stack.js';

interface ServiceStatus {
  readonly pid: number;
  readonly state: string;
  readonly after: Record<string, string>;
  readonly exit: { code: number | null; signal: string | null } | null;
  readonly restarts: number;
}

const WRITES = 50;

interface Run {
  readonly daemon: NamespacedDaemon;
  /** The namespace's PID 1 (the sentinel), as the host sees it. */
  readonly init: NamespaceInit;
}

const runs: Run[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const r of runs.splice(0).reverse()) {
    // A failed assertion leaves the servers running: end the whole namespace before removing its directory.
    try {
      await endNamespace(r.init);
    } finally {
      await r.daemon.cleanup();
    }
  }
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function start(files: Record<string, string>, dir: string): Promise<Run> {
  const daemon = await startInNamespace(files, { dir });
  const init = namespaceInit(daemon.unshare.pid ?? -1);
  if (init === null) {
    await daemon.cleanup();
    throw new Error(`the daemon's namespace has no PID 1; log:\n${daemon.log()}`);
  }
  const run = { daemon, init };
  runs.push(run);
  return run;
}

async function status(d: NamespacedDaemon, name: string): Promise<ServiceStatus> {
  const r = await d.cli(['status', name, '--json']);
  if (r.code !== 0) throw new Error(`status ${name} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as ServiceStatus;
}

/** waitFor whose timeout error also carries `context()`, read at the moment it fails. */
async function within<T>(probe: Parameters<typeof waitFor<T>>[0], ms: number, what: string, context: () => string): Promise<T> {
  try {
    return await waitFor(probe, ms, what, 50);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${context()}`, { cause: err });
  }
}

async function waitRunning(d: NamespacedDaemon, names: readonly string[]): Promise<void> {
  for (const name of names) await within(async () => (await status(d, name)).state === 'Running', 30_000, `${name} Running`, () => `daemon log:\n${d.log()}`);
}

/** Index in the daemon's log of the first line matching `re`; fails when there is none. */
function at(log: string, re: RegExp): number {
  const i = log.split('\n').findIndex((l) => re.test(l));
  assert.ok(i >= 0, `the daemon logged ${re}; log:\n${log}`);
  return i;
}

function parses(file: string): boolean {
  try {
    JSON.parse(fs.readFileSync(file, 'utf8'));
    return true;
  } catch {
    return false;
  }
}

const reportLine = (log: string, service: string): string => log.split('\n').find((l) => l.includes(`  ${service}: `)) ?? '';

/** Shuts a run down through the CLI and asserts the manager's part: exit 0, nothing left, no SIGKILL for `services`. */
async function shutdownCleanly(d: NamespacedDaemon, services: Record<string, string>): Promise<void> {
  const r = await d.cli(['shutdown']);
  assert.equal(r.code, 0, r.stderr);
  // The sentinel writes its result in place: wait until it parses, so a half-written file is never read.
  await within(() => parses(path.join(d.dir, 'result.json')), 60_000, 'daemon exit in the namespace', () => `daemon log:\n${d.log()}`);
  const result: SentinelResult = await d.result(1_000);
  const log = d.log();
  assert.equal(result.code, 0, `the daemon exits 0; log:\n${log}`);
  assert.deepEqual(result.left, [], `nothing is left alive; log:\n${log}`);
  // Each service's own stop took all of its processes: nothing was left for the sweep to kill.
  assert.match(log, /swept: 0 leftover/, `the sweep found nothing; log:\n${log}`);
  assert.match(log, /remaining: 0/);
  for (const [service, signal] of Object.entries(services)) {
    assert.match(reportLine(log, service), new RegExp(`^.*  ${service}: ${signal}, .*no SIGKILL`), `${service} stopped on ${signal} alone; log:\n${log}`);
  }
}

interface TreeSnapshot {
  readonly trees: Record<string, TreeNode[]>;
  /** Host view of each process in the trees, taken right after them; null for one that exited meanwhile. */
  readonly host: ReadonlyMap<number, HostProcess | null>;
}

/** The live trees once postgres shows its auxiliaries and the writer's backend, and nginx its two workers. */
async function treesWhenComplete(d: NamespacedDaemon, ns: string): Promise<TreeSnapshot> {
  let last = '';
  return within(
    async () => {
      const r = await d.cli(['tree', '--json']);
      last = r.stdout;
      if (r.code !== 0) return null;
      const trees = JSON.parse(r.stdout) as Record<string, TreeNode[]>;
      const host = new Map<number, HostProcess | null>();
      const visit = (n: TreeNode): void => {
        const pid = hostPid(ns, n.pid);
        host.set(n.pid, pid === null ? null : hostProcess(pid));
        n.children.forEach(visit);
      };
      for (const nodes of [trees.postgres ?? [], trees.nginx ?? []]) nodes.forEach(visit);
      const pgChildren = (trees.postgres?.[0]?.children ?? []).map((c) => host.get(c.pid)?.cmdline ?? '');
      const backend = pgChildren.some((c) => /^postgres: postgres postgres \[local\]/.test(c));
      const auxiliaries = ['checkpointer', 'background writer', 'walwriter'].every((a) => pgChildren.includes(`postgres: ${a}`));
      return backend && auxiliaries && trees.nginx?.[0]?.children.length === 2 ? { trees, host } : null;
    },
    15_000,
    'postgres backends and nginx workers in the tree',
    () => `last tree:\n${last}`,
  );
}

function hostOf(snap: TreeSnapshot, nsPid: number, what: string): HostProcess {
  const p = snap.host.get(nsPid);
  if (!p) throw new Error(`${what} (pid ${nsPid} in the namespace) is not in the host's /proc`);
  return p;
}

function assertPostgresTree(snap: TreeSnapshot, mainPid: number, postgresUid: number): void {
  const nodes = snap.trees.postgres ?? [];
  assert.equal(nodes.length, 1, `one root under postgres: ${JSON.stringify(nodes)}`);
  const [root] = nodes;
  assert.equal(root?.pid, mainPid, 'the postmaster is the root of the postgres tree');
  const postmaster = hostOf(snap, mainPid, 'the postmaster');
  assert.match(postmaster.cmdline, /\/postgres -D /);
  assert.equal(postmaster.uid, postgresUid, 'the postmaster runs as postgres');
  // An autovacuum worker may come and go between the tree and the look at /proc: only those still there are checked.
  const children = (root?.children ?? []).map((c) => snap.host.get(c.pid)).filter((p): p is HostProcess => p !== null && p !== undefined);
  assert.ok(children.length >= 4, `postgres children: ${JSON.stringify(children)}`);
  for (const p of children) {
    assert.equal(p.ppid, postmaster.pid, `${p.cmdline} is a child of the postmaster`);
    // Postmaster children call setsid(): each leads its own session and process group, outside the service's.
    assert.equal(p.pgid, p.pid, `${p.cmdline} leads its own process group`);
    assert.equal(p.sid, p.pid, `${p.cmdline} leads its own session`);
    assert.notEqual(p.pgid, postmaster.pgid);
    assert.equal(p.uid, postgresUid);
  }
}

function assertNginxTree(snap: TreeSnapshot, mainPid: number): void {
  const nodes = snap.trees.nginx ?? [];
  assert.equal(nodes.length, 1, `one root under nginx: ${JSON.stringify(nodes)}`);
  const [root] = nodes;
  assert.equal(root?.pid, mainPid, 'the nginx master is the root of the nginx tree');
  const master = hostOf(snap, mainPid, 'the nginx master');
  assert.match(master.cmdline, /^nginx: master process/);
  const workers = (root?.children ?? []).map((c) => hostOf(snap, c.pid, 'an nginx worker'));
  assert.equal(workers.length, 2);
  for (const w of workers) {
    assert.equal(w.cmdline, 'nginx: worker process');
    assert.equal(w.ppid, master.pid);
    assert.equal(w.pgid, master.pgid, 'nginx workers stay in the master\'s process group');
  }
}

test('postgres, redis, nginx and a writer: ordered start, visible trees, clean shutdown, no crash recovery, no lost writes', { timeout: 110_000 }, async () => {
  const bin = requireBinaries();
  const dir = tempDir('zinit-ts-real-');
  dirs.push(dir);
  const stack: Stack = await prepareStack(dir, bin, await freePorts(3));

  const { daemon: first, init } = await start(stackServices(stack), dir);

  // Start order: the writer starts only once schema succeeded and redis and nginx are Running. It tries each
  // dependency once, without retry, as it starts, and exits 2 if one is not ready: so it must never have failed.
  await waitRunning(first, ['postgres', 'redis', 'nginx', 'writer']);
  const writerLog = (): string => `writer log:\n${readLog(stack, 'writer.log')}`;
  await within(() => readWriterState(stack)?.ready, 15_000, 'the writer to find every dependency ready', writerLog);
  const writer = await status(first, 'writer');
  assert.deepEqual(writer.after, { schema: 'Success', redis: 'Running', nginx: 'Running' });
  assert.equal(writer.restarts, 0, writerLog());
  assert.equal(writer.exit, null, writerLog());
  const log = first.log();
  assert.ok(at(log, /service spawned service=schema /) > at(log, /service spawned service=postgres /));
  const schemaDone = at(log, /oneshot finished service=schema .*code=0/);
  const writerSpawned = at(log, /service spawned service=writer /);
  assert.ok(writerSpawned > schemaDone, 'writer spawned after schema succeeded');
  assert.ok(writerSpawned > at(log, /service spawned service=redis /) && writerSpawned > at(log, /service spawned service=nginx /));

  await within(
    () => {
      const s = readWriterState(stack);
      return s !== null && s.pg >= WRITES && s.redis >= WRITES && s.nginx >= WRITES;
    },
    30_000,
    `the writer to write ${WRITES} times to each`,
    () => `state ${JSON.stringify(readWriterState(stack))}, ${writerLog()}`,
  );

  const snap = await treesWhenComplete(first, init.ns);
  assertPostgresTree(snap, (await status(first, 'postgres')).pid, bin.postgresUser.uid);
  assertNginxTree(snap, (await status(first, 'nginx')).pid);

  await shutdownCleanly(first, { writer: 'SIGTERM', postgres: 'SIGINT', redis: 'SIGTERM', nginx: 'SIGQUIT' });
  const down = first.log();
  const writerGone = at(down, /service exited after stop service=writer /);
  for (const s of ['postgres', 'redis', 'nginx']) assert.ok(at(down, new RegExp(`stopping service service=${s} `)) > writerGone, `${s} stopped after the writer`);
  assert.match(readLog(stack, 'postgres-1.log'), /received fast shutdown request[\s\S]*database system is shut down/);
  assert.match(readLog(stack, 'redis-1.log'), /Received SIGTERM scheduling shutdown[\s\S]*ready to exit, bye bye/);
  assert.match(readLog(stack, 'nginx.log'), /signal 3 \(SIGQUIT\) received/);
  const acked = readWriterState(stack);
  assert.ok(acked !== null && acked.pg >= WRITES && acked.redis >= WRITES, `writer state ${JSON.stringify(acked)}`);

  // Same data directories again, through a second manager: a clean stop means no crash recovery and nothing lost.
  const { daemon: second } = await start({ postgres: postgresService(stack, 'postgres-2.log'), redis: redisService(stack, 'redis-2.log') }, path.join(dir, 'again'));
  await waitRunning(second, ['postgres', 'redis']);
  const pgLog = readLog(stack, 'postgres-2.log');
  assert.match(pgLog, /database system was shut down at /, pgLog);
  assert.doesNotMatch(pgLog, /was interrupted|not properly shut down|automatic recovery in progress|redo starts/, pgLog);
  assert.equal(await query(stack, `SELECT count(*) FROM writes WHERE n <= ${acked.pg}`), String(acked.pg), 'every row the writer saw committed is there');
  const counter = Number(await redisGet(stack, 'counter'));
  assert.ok(counter >= acked.redis, `redis counter ${counter} is at least the last acknowledged ${acked.redis}`);
  assert.match(readLog(stack, 'redis-2.log'), /DB loaded from append only file/);

  await shutdownCleanly(second, { postgres: 'SIGINT', redis: 'SIGTERM' });
  assert.match(readLog(stack, 'postgres-2.log'), /received fast shutdown request[\s\S]*database system is shut down/);
});
