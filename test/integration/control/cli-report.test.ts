// `tree` shows command lines; `shutdown` waits for the end and prints the report, `--no-wait` does not.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startDaemon, statusOf, tempDir, type DaemonHandle } from '../../helpers/daemon.js';
import { isAlive } from '../../helpers/proc.js';
import { waitFor } from '../../helpers/wait-for.js';

let d: DaemonHandle | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
});

/** A shell that ignores SIGTERM: it touches `mark` once the trap is set (the test waits for it), then waits on a sleep. */
const stubborn = (mark: string, timeoutS: number): string => `exec: sh -c 'trap "" TERM; touch ${mark}; sleep 1000 & wait'\nshutdown_timeout: ${timeoutS}\n`;
const trapSet = (mark: string): Promise<boolean> => waitFor(() => fs.existsSync(mark), 10_000, 'the stubborn service to ignore SIGTERM');

test('tree shows every process with its command line; --json has the whole argv', async () => {
  d = await startDaemon({ app: "exec: sh -c 'sleep 4243 & sleep 4244 & exec sleep 4242'\n" });
  const tree = await waitFor(async () => {
    const r = await d?.cli(['tree', 'app']);
    return r && /sleep 4242/.test(r.stdout) && /sleep 4243/.test(r.stdout) && /sleep 4244/.test(r.stdout) ? r : null;
  }, 5000, 'the root and both children in the tree, each its program');
  assert.equal(tree.code, 0);
  assert.match(tree.stdout, /^app\n└─ \d+ sleep 4242\n {3}├─ \d+ sleep 4243\n {3}└─ \d+ sleep 4244\n$/);
  const json = JSON.parse((await d.cli(['tree', 'app', '--json'])).stdout) as Record<string, { pid: number; cmdline: string[]; children: { cmdline: string[] }[] }[]>;
  const root = json.app?.[0];
  assert.deepEqual(root?.cmdline, ['sleep', '4242']);
  assert.deepEqual(root?.children.map((c) => c.cmdline).sort(), [['sleep', '4243'], ['sleep', '4244']]);
  assert.equal(root?.pid, (await statusOf(d, 'app')).pid);
});

test('shutdown waits until everything is stopped, prints the report and exits 0 with nothing left', async () => {
  const mark = path.join(tempDir(), 'trap-set');
  d = await startDaemon({ stubborn: stubborn(mark, 1), polite: 'exec: sleep 1000\n' });
  await trapSet(mark);
  const pids = [(await statusOf(d, 'stubborn')).pid, (await statusOf(d, 'polite')).pid];
  const t0 = Date.now();
  const r = await d.cli(['shutdown'], 30_000);
  const took = Date.now() - t0;
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /shutdown report/);
  assert.match(r.stdout, /stubborn: SIGTERM, stopped in [\d.]+ (ms|s), SIGKILL needed/);
  assert.match(r.stdout, /polite: SIGTERM, stopped in \d+ ms, no SIGKILL/);
  assert.match(r.stdout, /remaining: 0$/m);
  assert.ok(took >= 900, `returned after ${took} ms, before the 1 s deadline of the stubborn service`);
  for (const pid of pids) assert.equal(isAlive(pid), false, `pid ${pid} is gone when shutdown returns`);
  assert.equal(await d.exited(10_000), 0);
});

test('shutdown --no-wait returns while the services are still stopping', async () => {
  const mark = path.join(tempDir(), 'trap-set');
  d = await startDaemon({ stubborn: stubborn(mark, 2) });
  await trapSet(mark);
  const pid = (await statusOf(d, 'stubborn')).pid;
  const r = await d.cli(['shutdown', '--no-wait']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.ok(isAlive(pid), 'the stubborn service is still stopping when --no-wait returns');
  assert.equal(await d.exited(10_000), 0);
  assert.equal(isAlive(pid), false);
});
