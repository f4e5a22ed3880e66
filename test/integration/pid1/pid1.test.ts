import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fixture } from '../../helpers/paths.js';
import { startAsPid1, type Pid1Daemon } from '../../helpers/namespace.js';
import { waitFor } from '../../helpers/wait-for.js';

let d: Pid1Daemon | null = null;
afterEach(async () => {
  await d?.cleanup();
  d = null;
});

const MANAGED = 200;
const ORPHANS = 1000;

/** What each managed oneshot does when the gate opens, and what its status must then say. */
function plan(i: number): { cmd: string; code: number | null; signal: string | null } {
  if (i % 10 === 0) return { cmd: 'kill -KILL $$', code: null, signal: 'SIGKILL' };
  if (i % 10 === 1) return { cmd: 'kill -TERM $$', code: null, signal: 'SIGTERM' };
  if (i % 10 === 2) return { cmd: 'kill -SEGV $$', code: null, signal: 'SIGSEGV' };
  const code = (i * 37) % 256;
  return { cmd: `exit ${code}`, code, signal: null };
}

function stormFiles(fifo: string): Record<string, string> {
  const files: Record<string, string> = { storm: `exec: ${fixture('orphan-storm.sh')} ${ORPHANS} ${fifo}\noneshot: true\n` };
  for (let i = 0; i < MANAGED; i++) files[`m${i}`] = `exec: sh -c 'read -r _ < ${fifo}; ${plan(i).cmd}'\noneshot: true\n`;
  return files;
}

/** Host view of the namespace: live and zombie processes whose parent is the daemon. */
function childrenOf(hostPid: number): { live: number; zombies: number } {
  let live = 0;
  let zombies = 0;
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const st = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      const rest = st.slice(st.lastIndexOf(')') + 2).split(' ');
      if (Number(rest[1]) !== hostPid) continue;
      if (rest[0] === 'Z') zombies++;
      else live++;
    } catch {
      /* gone */
    }
  }
  return { live, zombies };
}

const gated = (fifo: string): number => Number(execFileSync('sh', ['-c', `grep -l -s -F '${fifo}' /proc/[0-9]*/cmdline | wc -l`]).toString().trim());

async function storm(env: NodeJS.ProcessEnv): Promise<{ daemon: Pid1Daemon; statuses: Map<string, { exit: { code: number | null; signal: string | null } | null; state: string }> }> {
  const dir = fs.mkdtempSync('/tmp/zinit-ts-gate-');
  const fifo = path.join(dir, 'gate');
  execFileSync('mkfifo', [fifo]);
  // Held open for writing so every reader's open() returns; closing it releases all of them at once.
  const writer = fs.openSync(fifo, 'r+');
  const daemon = await startAsPid1(stormFiles(fifo), { env, args: ['--container'] });
  d = daemon;
  try {
    await waitFor(() => gated(fifo) >= MANAGED + ORPHANS, 60_000, 'every managed process and orphan to wait at the gate');
  } finally {
    fs.closeSync(writer);
  }
  const statuses = await waitFor(async () => {
    const r = await daemon.cli(['list', '--json'], 30_000);
    if (r.code !== 0) return null;
    const list = JSON.parse(r.stdout) as { name: string; state: string; exit: { code: number | null; signal: string | null } | null }[];
    const done = list.filter((s) => s.name.startsWith('m') && (s.state === 'Success' || s.state === 'Error'));
    return done.length === MANAGED ? new Map(list.map((s) => [s.name, s])) : null;
  }, 60_000, 'all managed processes to finish');
  fs.rmSync(dir, { recursive: true, force: true });
  return { daemon, statuses };
}

test('as PID 1: 200 managed exits amid 1000 orphans, every status exact, zero zombies left', async () => {
  const { daemon, statuses } = await storm({});
  const wrong: string[] = [];
  for (let i = 0; i < MANAGED; i++) {
    const want = plan(i);
    const got = statuses.get(`m${i}`)?.exit;
    if (got?.code !== want.code || got?.signal !== want.signal) wrong.push(`m${i}: want ${JSON.stringify(want)} got ${JSON.stringify(got)}`);
  }
  assert.deepEqual(wrong, [], 'every exit status is the true one');
  await waitFor(() => childrenOf(daemon.hostPid).zombies === 0, 10_000, 'the namespace to drain to zero zombies');
  assert.equal((await daemon.cli(['shutdown'])).code, 0);
  assert.deepEqual(await daemon.exit(), { code: 0, signal: null });
});

test('negative control: with the reaper off the orphans stay zombies', async () => {
  const { daemon } = await storm({ ZINIT_TS_REAPER: 'off' });
  const drained = await waitFor(() => childrenOf(daemon.hostPid).zombies === 0, 3000).then(
    () => true,
    () => false,
  );
  assert.equal(drained, false, 'zombies remain without the reaper');
  assert.ok(childrenOf(daemon.hostPid).zombies >= ORPHANS * 0.9);
});

for (const sig of ['TERM', 'INT'] as const) {
  test(`kill -${sig} 1 from inside the namespace shuts down cleanly with exit 0`, async () => {
    const dir = fs.mkdtempSync('/tmp/zinit-ts-sig-');
    const journal = path.join(dir, 'journal');
    d = await startAsPid1({ svc: `exec: ${fixture('svc.sh')} svc ${journal}\n` }, { args: ['--container'] });
    await waitFor(() => fs.existsSync(journal), 10_000, 'service started');
    void d.cli(['run', '--', 'sh', '-c', `kill -${sig} 1`]);
    assert.deepEqual(await d.exit(), { code: 0, signal: null });
    assert.match(fs.readFileSync(journal, 'utf8'), /stop svc/, 'the service got its graceful stop');
    assert.match(d.log(), new RegExp(`shutdown requested why=SIG${sig}`));
    assert.match(d.log(), /remaining: 0/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
}

test('a second signal during shutdown is logged, not a second shutdown', async () => {
  d = await startAsPid1({ slow: "exec: sh -c 'trap \"\" TERM; while :; do sleep 1; done'\nshutdown_timeout: 1.5\n" }, { args: ['--container'] });
  void d.cli(['run', '--', 'sh', '-c', 'kill -TERM 1; sleep 0.3; kill -TERM 1; kill -INT 1']);
  assert.deepEqual(await d.exit(), { code: 0, signal: null });
  assert.equal(d.log().match(/shutdown requested/g)?.length, 1);
  assert.match(d.log(), /shutdown already in progress/);
});

test('as PID 1 without --container, reboot and shutdown end in reboot(2) after the clean stop', async () => {
  // In a PID namespace, reboot(2) from its init ends that init with SIGHUP (restart) or SIGINT (power off):
  // the real call, with an effect confined to the namespace.
  for (const [cmd, signal] of [
    ['reboot', 'SIGHUP'],
    ['shutdown', 'SIGINT'],
  ] as const) {
    const dir = fs.mkdtempSync('/tmp/zinit-ts-reboot-');
    const journal = path.join(dir, 'journal');
    d = await startAsPid1({ svc: `exec: ${fixture('svc.sh')} svc ${journal}\n` });
    await waitFor(() => fs.existsSync(journal), 10_000, 'service started');
    await d.cli([cmd]);
    const end = await d.exit();
    assert.ok(end.signal === signal || end.code === 128 + (signal === 'SIGHUP' ? 1 : 2), `${cmd}: ${JSON.stringify(end)}`);
    assert.match(fs.readFileSync(journal, 'utf8'), /stop svc/, `${cmd}: services stopped first`);
    assert.match(d.log(), /remaining: 0/);
    await d.cleanup();
    d = null;
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
