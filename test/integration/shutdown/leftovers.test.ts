import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fixture } from '../../helpers/paths.js';
import { startDaemon, statusOf, tempDir, waitState, type DaemonHandle } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait-for.js';
import { isAlive, killAll, pidsWithEnv, pidsWithMarker } from '../../helpers/proc.js';

const started: DaemonHandle[] = [];
let marker = '';
afterEach(async () => {
  for (const d of started.splice(0)) await d.cleanup();
  killAll(pidsWithMarker(marker));
  // The control leaves the crashed daemon's processes alive on purpose; they carry its socket in their tag.
  if (marker) killAll(pidsWithEnv(`ZINIT_TS_SOCKET=${path.join(marker, 'zinit.sock')}`));
});

async function crashAndRestart(env: NodeJS.ProcessEnv): Promise<{ oldPids: number[]; second: DaemonHandle }> {
  const dir = tempDir();
  marker = dir;
  const journal = path.join(dir, 'journal');
  const files = { worker: `exec: ${fixture('svc.sh')} worker ${journal}\n`, escapee: `exec: ${fixture('escapee.sh')} escapee ${journal}\n` };
  const prev = process.env.ZINIT_TS_DISCOVERY;
  if (env.ZINIT_TS_DISCOVERY) process.env.ZINIT_TS_DISCOVERY = env.ZINIT_TS_DISCOVERY;
  try {
    const first = await startDaemon(files, [], { dir });
    started.push(first);
    await waitState(first, 'worker', 'Running');
    await waitFor(() => pidsWithMarker(`escapee-term escapee >> ${journal}`).length > 0, 10_000, 'escapee');
    const oldPids = pidsWithMarker(dir).filter((p) => p !== first.pid);
    assert.ok(oldPids.length >= 2, `services running: ${oldPids.join(',')}`);
    first.child.kill('SIGKILL');
    await first.exited();
    assert.ok(oldPids.every(isAlive), 'a daemon killed with SIGKILL leaves its services running');
    fs.rmSync(first.socket, { force: true });
    const second = await startDaemon(files, [], { dir });
    started.push(second);
    return { oldPids, second };
  } finally {
    if (prev === undefined) delete process.env.ZINIT_TS_DISCOVERY;
    else process.env.ZINIT_TS_DISCOVERY = prev;
  }
}

test('leftovers of a crashed daemon are found by their tag, reported and killed before services start', async () => {
  const { oldPids, second } = await crashAndRestart({});
  await waitState(second, 'worker', 'Running');
  for (const pid of oldPids) assert.equal(isAlive(pid), false, `leftover ${pid} was killed`);
  const out = second.output();
  const firstLeftover = out.indexOf('leftover of a previous zinit-ts found');
  const firstSpawn = out.indexOf('service spawned');
  assert.ok(firstLeftover >= 0, out);
  assert.ok(firstLeftover < firstSpawn, 'leftovers are handled before any service starts');
  const pid = (await statusOf(second, 'worker')).pid;
  assert.ok(!oldPids.includes(pid));
});

test('negative control: without tag discovery the leftovers of a crashed daemon survive', async () => {
  const { oldPids, second } = await crashAndRestart({ ZINIT_TS_DISCOVERY: 'group' });
  await waitState(second, 'worker', 'Running');
  assert.ok(oldPids.some(isAlive), 'old processes are still alive');
});
