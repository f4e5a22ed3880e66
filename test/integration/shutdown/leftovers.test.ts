import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fixture } from '../../helpers/paths.js';
import { startDaemon, tempDir, waitState, type DaemonHandle } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait-for.js';
import { fates, killAll, pidsWithEnv, pidsWithMarker, processList, type ProcIdentity } from '../../helpers/proc.js';

const started: DaemonHandle[] = [];
let marker = '';
afterEach(async () => {
  for (const d of started.splice(0)) await d.cleanup();
  killAll(pidsWithMarker(marker));
  // The control leaves the crashed daemon's processes alive on purpose; they carry its socket in their tag.
  if (marker) killAll(pidsWithEnv(`ZINIT_TS_SOCKET=${path.join(marker, 'zinit.sock')}`));
});

/** The value of `name` in the environment of `pid`, or null. */
function envValue(pid: number, name: string): string | null {
  try {
    const entry = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').find((e) => e.startsWith(`${name}=`));
    return entry === undefined ? null : entry.slice(name.length + 1);
  } catch {
    return null;
  }
}

/**
 * Live processes tagged with this daemon's socket (the domain of the tag), each with the instance that started
 * it. The services' `sleep 1` children come and go every second on their own: left out (before their exec too),
 * so that "alive" and "killed" speak of processes that only a kill ends.
 */
function tagged(socket: string): { id: ProcIdentity; instance: string | null }[] {
  const list = new Map(processList().map((p) => [p.pid, p]));
  return pidsWithEnv(`ZINIT_TS_SOCKET=${socket}`).flatMap((pid) => {
    const p = list.get(pid);
    const instance = envValue(pid, 'ZINIT_TS_INSTANCE');
    // A fork that has not exec'd yet still shows its parent's command line: the shell's `sleep 1 &` on its way.
    const forkOnItsWay = p !== undefined && list.get(p.ppid)?.cmdline === p.cmdline;
    return p && p.cmdline !== 'sleep 1' && !forkOnItsWay && instance !== null ? [{ id: { pid, startTime: p.startTime }, instance }] : [];
  });
}

async function crashAndRestart(env: NodeJS.ProcessEnv): Promise<{ old: ProcIdentity[]; oldInstance: string; second: DaemonHandle }> {
  const dir = tempDir();
  marker = dir;
  const journal = path.join(dir, 'journal');
  const files = { worker: `exec: ${fixture('svc.sh')} worker ${journal}\n`, escapee: `exec: ${fixture('escapee.sh')} escapee ${journal}\n` };
  const prev = process.env.ZINIT_TS_DISCOVERY;
  if (env.ZINIT_TS_DISCOVERY) process.env.ZINIT_TS_DISCOVERY = env.ZINIT_TS_DISCOVERY;
  try {
    // The tag is what is tested: in cgroup mode the previous daemon's cgroups would find them first (see cgroup/containment.test.ts).
    const first = await startDaemon(files, ['--cgroup', 'off'], { dir });
    started.push(first);
    await waitState(first, 'worker', 'Running');
    await waitFor(() => pidsWithMarker(`escapee-term escapee >> ${journal}`).length > 0, 10_000, 'escapee');
    // Every lasting process of the first daemon, by its tag: the worker, the escapee's main (sleep 1000) and its setsid'd shell.
    const before = await waitFor(() => {
      const t = tagged(first.socket);
      return t.length >= 3 ? t : null;
    }, 10_000, 'the first daemon\'s tagged processes');
    const instances = new Set(before.map((t) => t.instance));
    assert.equal(instances.size, 1, 'one daemon instance tagged them all');
    const oldInstance = [...instances][0] ?? '';
    const old = before.map((t) => t.id);
    assert.ok(!old.some((id) => id.pid === first.pid), 'the daemon itself carries no tag');
    first.child.kill('SIGKILL');
    await first.exited();
    assert.deepEqual(fates(old), { alive: old.length, zombie: 0, gone: 0 }, 'a daemon killed with SIGKILL leaves every process of its services running');
    fs.rmSync(first.socket, { force: true });
    const second = await startDaemon(files, ['--cgroup', 'off'], { dir });
    started.push(second);
    return { old, oldInstance, second };
  } finally {
    if (prev === undefined) delete process.env.ZINIT_TS_DISCOVERY;
    else process.env.ZINIT_TS_DISCOVERY = prev;
  }
}

test('leftovers of a crashed daemon are found by their tag, reported and killed before services start', async () => {
  const { old, oldInstance, second } = await crashAndRestart({});
  await waitState(second, 'worker', 'Running');
  // Killed: none alive (a zombie waits for whoever adopted it; the host's init reaps it).
  assert.equal(fates(old).alive, 0, `every leftover was killed: ${JSON.stringify(fates(old))}`);
  const out = second.output();
  const reported = out.split('\n').filter((l) => l.includes('leftover of a previous zinit-ts found'));
  for (const { pid } of old) assert.ok(reported.some((l) => new RegExp(`\\bpid[=":]+${pid}\\b`).test(l) && l.includes(oldInstance)), `leftover ${pid} reported with its instance:\n${out}`);
  const firstLeftover = out.indexOf('leftover of a previous zinit-ts found');
  const firstSpawn = out.indexOf('service spawned');
  assert.ok(firstLeftover >= 0 && firstLeftover < firstSpawn, 'leftovers are handled before any service starts');
  // The new services carry the same socket in their tag, and a new instance.
  const now = tagged(second.socket);
  assert.ok(now.length > 0 && now.every((t) => t.instance !== oldInstance && !old.some((o) => o.pid === t.id.pid)));
});

test('negative control: without tag discovery every leftover of a crashed daemon survives', async () => {
  const { old, second } = await crashAndRestart({ ZINIT_TS_DISCOVERY: 'group' });
  await waitState(second, 'worker', 'Running');
  assert.deepEqual(fates(old), { alive: old.length, zombie: 0, gone: 0 }, 'every old process is still alive once services run');
  assert.doesNotMatch(second.output(), /leftover of a previous zinit-ts found/);
});
