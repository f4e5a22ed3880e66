// Not PID 1: zinit-ts is a child subreaper (PR_SET_CHILD_SUBREAPER), so a service's double-forked orphan is
// reparented to the daemon, and the daemon reaps it when it exits.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fixture } from '../../helpers/paths.js';
import { startInNamespace, type NamespacedDaemon } from '../../helpers/namespace.js';
import { tempDir } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait-for.js';
import { fateOf, processList, type ProcIdentity } from '../../helpers/proc.js';

let ns: NamespacedDaemon | null = null;
afterEach(async () => {
  await ns?.cleanup();
  ns = null;
});

const childrenOf = (pid: number): number[] => {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
};

interface Run {
  /** Host pids: the namespace's PID 1 (the sentinel, which never reaps what is not its own) and the daemon under it. */
  readonly sentinel: number;
  readonly daemon: number;
  readonly grandchild: ProcIdentity;
  /** The grandchild's parent while it waited, before it exited. */
  readonly parentWhileAlive: number;
  /** Closing the gate lets the grandchild exit. */
  release(): void;
}

async function doubleFork(env: NodeJS.ProcessEnv): Promise<Run> {
  const dir = tempDir('zinit-ts-subreaper-');
  const fifo = path.join(dir, 'gate');
  execFileSync('mkfifo', [fifo]);
  const writer = fs.openSync(fifo, 'r+');
  ns = await startInNamespace({ forker: `exec: ${fixture('double-fork.sh')} ${fifo}\n` }, { dir, env });
  const sentinel = childrenOf(ns.unshare.pid ?? -1)[0] ?? -1;
  const daemon = childrenOf(sentinel)[0] ?? -1;
  assert.ok(sentinel > 0 && daemon > 0, 'the sentinel and the daemon under it');
  // The grandchild keeps the script's command line; so does the intermediate until it exits, and the service's
  // main process until it execs sleep. Found once neither is left: one script process, under neither of them.
  const found = await waitFor(() => {
    const all = processList();
    const main = all.find((p) => p.ppid === daemon && p.cmdline === 'sleep 1000');
    const g = all.filter((p) => p.cmdline.includes('double-fork.sh') && p.cmdline.endsWith(fifo) && p.state !== 'Z');
    return main && g.length === 1 && g[0] && g[0].ppid !== main.pid ? g[0] : null;
  }, 10_000, 'the double-forked grandchild, its parent gone, and the service running on as sleep');
  return {
    sentinel,
    daemon,
    grandchild: { pid: found.pid, startTime: found.startTime },
    parentWhileAlive: found.ppid,
    release: () => fs.closeSync(writer),
  };
}

/** Zombies in /proc whose parent is `pid`. */
const zombiesOf = (pid: number): number[] => processList().filter((p) => p.ppid === pid && p.state === 'Z').map((p) => p.pid);

test('not PID 1: a double-forked orphan is reparented to the daemon and reaped when it exits', async () => {
  const r = await doubleFork({});
  assert.notEqual(process.pid, 1);
  assert.equal(r.parentWhileAlive, r.daemon, 'the orphan came to the daemon (subreaper), not to the namespace init');
  r.release();
  // Gone from /proc: it exited and its parent, the daemon, reaped it.
  await waitFor(() => fateOf(r.grandchild) === 'gone', 10_000, `the orphan to be reaped (now ${fateOf(r.grandchild)})`).catch(() => undefined);
  assert.equal(fateOf(r.grandchild), 'gone', 'the orphan exited and was reaped');
  assert.deepEqual(zombiesOf(r.daemon), [], 'no zombie has the daemon as its parent');
});

test('negative control: with ZINIT_TS_REAPER=off (no subreaper, no reaping) the orphan goes to the namespace init and stays a zombie', async () => {
  const r = await doubleFork({ ZINIT_TS_REAPER: 'off' });
  assert.equal(r.parentWhileAlive, r.sentinel, 'without PR_SET_CHILD_SUBREAPER the orphan went to PID 1 of the namespace');
  r.release();
  await waitFor(() => fateOf(r.grandchild) !== 'alive', 10_000, 'the orphan to exit');
  assert.equal(fateOf(r.grandchild), 'zombie', 'nobody reaped it');
  assert.deepEqual(zombiesOf(r.sentinel), [r.grandchild.pid]);
});
