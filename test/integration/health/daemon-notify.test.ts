// The manager's own sd_notify, as systemd would receive it (Type=notify): a python3 receiver on a unix datagram
// socket given as NOTIFY_SOCKET records every datagram with the time it arrived.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startDaemon, tempDir, waitState, type DaemonHandle } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait-for.js';
import { freePorts } from '../real-daemons/loopback-ports.js';
import { healthStatus, listenedAt, requireTools, serverEvents, serverExec, startNotifyReceiver, type NotifyMessage, type NotifyReceiver } from './health-helpers.js';

let daemon: DaemonHandle | null = null;
let receiver: NotifyReceiver | null = null;
afterEach(async () => {
  await daemon?.cleanup();
  daemon = null;
  await receiver?.stop();
  receiver = null;
});

const linesOf = (m: NotifyMessage): string[] => m.text.split('\n').filter(Boolean);
const has = (line: string) => (m: NotifyMessage): boolean => linesOf(m).includes(line);
/** The datagrams from READY=1 on (all of them before it came). */
const fromReady = (all: readonly NotifyMessage[]): readonly NotifyMessage[] => all.slice(Math.max(0, all.findIndex(has('READY=1'))));

/**
 * Consecutive datagrams from READY=1 on are at least about STATUS_EVERY_MS (1 s) apart. READY=1 itself goes
 * the moment the start settles, however soon after a STATUS= of the start under way: those before it are not
 * counted. The times are when the receiver read each datagram, so a little of its own delay is allowed for.
 */
function assertRateLimited(all: readonly NotifyMessage[]): void {
  const messages = fromReady(all);
  for (let i = 1; i < messages.length; i++) {
    const gap = (messages[i]?.at ?? 0) - (messages[i - 1]?.at ?? 0);
    assert.ok(gap >= 900, `datagrams ${i - 1} and ${i} are ${gap.toFixed(0)} ms apart: ${JSON.stringify(messages)}`);
  }
}

test('READY=1 comes once the first start settled, after the probed service listens; STATUS= follows changes; STOPPING=1 at shutdown', async () => {
  const tools = requireTools();
  const dir = tempDir();
  const [port] = await freePorts(1);
  receiver = await startNotifyReceiver(tools.python3, path.join(dir, 'notify.sock'));
  daemon = await startDaemon(
    {
      quick: 'exec: sleep 1000\n',
      slow: `exec: ${serverExec('http', port ?? 0, 500, dir)}\nready: http://127.0.0.1:${port}/ready\n`,
    },
    [],
    { dir, env: { ...process.env, NOTIFY_SOCKET: receiver.socket } },
  );
  const ready = await waitFor(() => receiver!.messages().find(has('READY=1')), 15_000, 'READY=1');
  const listen = listenedAt(dir);
  const passed = serverEvents(dir).find((e) => e.kind === 'req' && e.status === 200);
  // The server records listening before it answers anything: no record means READY=1 came before it listened.
  assert.ok(listen !== null && passed !== undefined, `READY=1 arrived before slow listened and passed its probe: ${JSON.stringify(receiver.messages())}`);
  assert.ok(ready.at >= listen, `READY=1 arrived at ${ready.at}, before slow listened at ${listen}`);
  assert.ok(ready.at >= passed.at, `READY=1 arrived at ${ready.at}, before slow's probe passed at ${passed.at}`);
  assert.deepEqual(linesOf(ready), ['READY=1', 'STATUS=2 running, 0 done (of 2)']);
  const before = receiver.messages().slice(0, receiver.messages().findIndex(has('READY=1')));
  for (const m of before) assert.match(m.text, /^STATUS=\d+ running, 0 done, 1 starting \(of 2\)$/, 'before READY=1 only STATUS= of a start under way');
  assert.equal((await healthStatus(daemon, 'slow')).state, 'Running');

  // A change is told with STATUS=, once the second after it is up.
  const stop = await daemon.cli(['stop', 'quick']);
  assert.equal(stop.code, 0, stop.stderr);
  await waitFor(() => receiver!.messages().some(has('STATUS=1 running, 1 done (of 2)')), 10_000, 'STATUS= after the stop');
  const start = await daemon.cli(['start', 'quick']);
  assert.equal(start.code, 0, start.stderr);
  await waitState(daemon, 'quick', 'Running');
  await waitFor(() => receiver!.messages().at(-1)?.text === 'STATUS=2 running, 0 done (of 2)', 10_000, 'STATUS= after the start');
  assertRateLimited(receiver.messages());

  const r = await daemon.cli(['shutdown']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await daemon.exited(), 0);
  const all = receiver.messages();
  const stopping = all.filter(has('STOPPING=1'));
  assert.equal(stopping.length, 1, `one STOPPING=1: ${JSON.stringify(all)}`);
  assert.equal(all.findIndex(has('STOPPING=1')), all.length - 1, 'STOPPING=1 is the last word');
  assert.equal(all.filter(has('READY=1')).length, 1, 'READY=1 once');
});

test('a service that changes state many times a second: STATUS= at most once a second, the last one true; nothing after STOPPING=1', async () => {
  const tools = requireTools();
  const dir = tempDir();
  receiver = await startNotifyReceiver(tools.python3, path.join(dir, 'notify.sock'));
  daemon = await startDaemon(
    {
      steady: 'exec: sleep 1000\n',
      // Runs until the test creates the file, then exits every 0.1 s and is respawned 0.05–0.1 s later: several
      // state changes a second, for as long as it runs. (A crash loop from the start holds READY=1 back.)
      flapping: `exec: sh -c 'while [ ! -f ${path.join(dir, 'flap')} ]; do sleep 0.05; done; sleep 0.1; exit 3'\nrestart_delay: 0.05\nrestart_max_delay: 0.1\n`,
    },
    [],
    { dir, env: { ...process.env, NOTIFY_SOCKET: receiver.socket } },
  );
  const ready = await waitFor(() => receiver!.messages().find(has('READY=1')), 15_000, 'READY=1');
  fs.writeFileSync(path.join(dir, 'flap'), '');
  // Twelve restarts: two dozen state changes and more, over two seconds and more.
  await waitFor(async () => (await healthStatus(daemon!, 'flapping')).restarts >= 12, 20_000, 'flapping for a while');
  const during = fromReady(receiver.messages());
  assertRateLimited(during);
  const spanS = (Date.now() - ready.at) / 1000;
  assert.ok(during.length <= Math.floor(spanS / 0.9) + 1, `${during.length} datagrams in ${spanS.toFixed(1)} s since READY=1`);
  for (const m of during.slice(1)) assert.match(m.text, /^STATUS=\d+ running, 0 done(, 1 (starting|failed))? \(of 2\)$/);

  // Once it is stopped nothing changes any more: the last STATUS= says where things are.
  const stop = await daemon.cli(['stop', 'flapping']);
  assert.equal(stop.code, 0, stop.stderr);
  const final = (await healthStatus(daemon, 'flapping')).state;
  const expected = final === 'Success' ? 'STATUS=1 running, 1 done (of 2)' : `STATUS=1 running, 0 done, 1 failed (of 2)`;
  assert.ok(final === 'Success' || final === 'Error', final);
  await waitFor(() => receiver!.messages().at(-1)?.text === expected, 10_000, `${expected} as the last datagram`);
  assertRateLimited(receiver.messages());

  const r = await daemon.cli(['shutdown']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await daemon.exited(), 0);
  const all = receiver.messages();
  const at = all.findIndex(has('STOPPING=1'));
  assert.ok(at >= 0, `STOPPING=1 sent: ${JSON.stringify(all)}`);
  assert.equal(at, all.length - 1, `nothing after STOPPING=1: ${JSON.stringify(all.slice(at))}`);
});
