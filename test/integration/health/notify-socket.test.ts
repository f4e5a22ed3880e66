// `notify: systemd` on real sockets: systemd-notify and python send datagrams to abstract sockets that the event loop reads on SIGIO.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createNotifySockets, NOTIFY_DATAGRAM_MAX, type NotifySocket } from '../../../src/os/notify-socket.js';
import { openLibc } from '../../../src/os/libc.js';
import { NotifyError } from '../../../src/errors/notify-errors.js';
import { waitFor } from '../../helpers/wait-for.js';
import { repoRoot } from '../../helpers/paths.js';
import { within } from '../../unit/os/bounded.js';
import { abstractSockets, fdFlags, fdOfAbstract, O_ASYNC, O_CLOEXEC, O_NONBLOCK, run, sendDatagrams } from './datagrams.js';

type Fields = ReadonlyMap<string, string>;

/** A receiver that keeps every message it is given. */
function collect(port: ReturnType<typeof createNotifySockets>, service: string): { ch: NotifySocket; got: Fields[] } {
  const got: Fields[] = [];
  const ch = port.open(service, (f) => got.push(f));
  return { ch, got };
}

const warnings: string[] = [];
// One prefix per test process, so parallel test files never meet.
const port = createNotifySockets({ prefix: `zinit-ts-test/${process.pid}`, onWarning: (s, m) => warnings.push(`${s}: ${m}`) });
const opened: NotifySocket[] = [];
after(() => opened.forEach((c) => c.close()));

function open(service: string): { ch: NotifySocket; got: Fields[] } {
  const r = collect(port, service);
  opened.push(r.ch);
  return r;
}

void describe('notify socket', () => {
  void test('is an abstract, non-blocking, close-on-exec, signal-driven socket with nothing on disk', () => {
    const { ch } = open('shape');
    assert.match(ch.address, new RegExp(`^@zinit-ts-test/${process.pid}/\\d+/shape$`));
    assert.deepEqual(ch.env, { NOTIFY_SOCKET: ch.address });
    const flags = fdFlags(fdOfAbstract(ch.address));
    assert.equal(flags & (O_NONBLOCK | O_ASYNC | O_CLOEXEC), O_NONBLOCK | O_ASYNC | O_CLOEXEC, `flags ${flags.toString(8)}`);
    ch.close();
    assert.equal(abstractSockets().has(ch.address), false, 'gone from /proc/net/unix once closed');
  });

  void test('systemd-notify, as root and outside systemd, delivers READY=1 and STATUS', async () => {
    const { ch, got } = open('sysd');
    const r = await run('systemd-notify', ['--ready', '--status=hello world'], { ...process.env, ...ch.env });
    // systemd-notify waits for the receiver to take its BARRIER=1 datagram (and close the fd passed with it):
    // its success says that datagram was read too, and the fd is not kept here.
    assert.equal(r.code, 0, r.stderr);
    const ready = await waitFor(() => got.find((f) => f.get('READY') === '1'), 5000, 'READY=1');
    assert.equal(ready.get('STATUS'), 'hello world');
  });

  void test('a multi-line datagram is one message: later keys win, malformed lines are ignored', async () => {
    const { ch, got } = open('multi');
    const r = await sendDatagrams(ch.address, ['READY=1\nSTATUS=first\nno equals sign\n=novalue\n1BAD=x\nSTATUS=second\nMAINPID=42\nEMPTY=\n']);
    assert.equal(r.code, 0, r.stderr);
    const [msg] = await waitFor(() => (got.length > 0 ? got : null), 5000, 'the datagram');
    assert.deepEqual(
      [...(msg ?? new Map<string, string>())],
      [
        ['READY', '1'],
        ['STATUS', 'second'],
        ['MAINPID', '42'],
        ['EMPTY', ''],
      ],
    );
    assert.equal(got.length, 1);
  });

  void test("two services' sockets are kept apart", async () => {
    const a = open('apart-a');
    const b = open('apart-b');
    assert.notEqual(a.ch.address, b.ch.address);
    await sendDatagrams(a.ch.address, ['STATUS=to a']);
    await sendDatagrams(b.ch.address, ['STATUS=to b']);
    await sendDatagrams(a.ch.address, ['READY=1']);
    await waitFor(() => a.got.length === 2 && b.got.length === 1, 5000, 'three datagrams');
    assert.deepEqual(
      a.got.map((f) => [...f]),
      [[['STATUS', 'to a']], [['READY', '1']]],
    );
    assert.deepEqual(
      b.got.map((f) => [...f]),
      [[['STATUS', 'to b']]],
    );
  });

  void test('after close nothing is delivered, senders are refused, and the name can be bound again', async () => {
    const prefix = `zinit-ts-test/${process.pid}/reuse`;
    const first = createNotifySockets({ prefix });
    const old: Fields[] = [];
    const ch = first.open('svc', (f) => old.push(f));
    ch.close();
    ch.close();
    const refused = await sendDatagrams(ch.address, ['READY=1']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /ConnectionRefusedError/);
    // A second manager with the same prefix starts its count at 1 again: the very same name.
    const again = createNotifySockets({ prefix });
    const now: Fields[] = [];
    const ch2 = again.open('svc', (f) => now.push(f));
    try {
      assert.equal(ch2.address, ch.address);
      await sendDatagrams(ch2.address, ['READY=1']);
      await waitFor(() => now.length === 1, 5000, 'the datagram on the rebound name');
      assert.equal(old.length, 0, 'the closed channel got nothing');
    } finally {
      ch2.close();
    }
  });

  void test('a name taken by someone else in this network namespace is skipped, not fatal', async () => {
    const prefix = `zinit-ts-test/${process.pid}/taken`;
    const one = createNotifySockets({ prefix }).open('svc', () => undefined);
    const got: Fields[] = [];
    const two = createNotifySockets({ prefix }).open('svc', (f) => got.push(f));
    try {
      assert.equal(one.address, `@${prefix}/1/svc`);
      assert.equal(two.address, `@${prefix}/2/svc`);
      await sendDatagrams(two.address, ['READY=1']);
      await waitFor(() => got.length === 1, 5000, 'the datagram on the second name');
    } finally {
      one.close();
      two.close();
    }
  });

  void test('a long service name is cut and hashed to fit sun_path, and still unique', async () => {
    const long = 'x'.repeat(200);
    const a = open(`${long}-a`);
    const b = open(`${long}-b`);
    assert.notEqual(a.ch.address, b.ch.address);
    for (const { ch } of [a, b]) assert.ok(Buffer.byteLength(ch.address) <= 108, ch.address);
    await sendDatagrams(b.ch.address, ['READY=1']);
    await waitFor(() => b.got.length === 1, 5000, 'the datagram');
    assert.equal(a.got.length, 0);
  });

  void test('a datagram longer than the buffer is cut and said so', async () => {
    const { ch, got } = open('long');
    await sendDatagrams(ch.address, [`READY=1\nSTATUS=${'y'.repeat(2 * NOTIFY_DATAGRAM_MAX)}`]);
    const [msg] = await waitFor(() => (got.length > 0 ? got : null), 5000, 'the datagram');
    assert.equal(msg?.get('READY'), '1');
    assert.equal(msg?.get('STATUS')?.length, NOTIFY_DATAGRAM_MAX - 'READY=1\nSTATUS='.length);
    assert.ok(warnings.some((w) => w.startsWith('long: ') && w.includes(`${2 * NOTIFY_DATAGRAM_MAX + 15} bytes`)), warnings.join('\n'));
  });

  void test('a flood of 10000 datagrams is read in full, at most 256 per turn of the event loop, while timers keep firing', async () => {
    const quiet = open('quiet');
    // Turns of the event loop, counted by an immediate that queues itself (one run per turn).
    let turn = 0;
    let spinning = true;
    const spin = (): void => {
      turn++;
      if (spinning) setImmediate(spin);
    };
    setImmediate(spin);
    const perTurn = new Map<number, number>();
    let received = 0;
    const flood = port.open('flood', () => {
      received++;
      perTurn.set(turn, (perTurn.get(turn) ?? 0) + 1);
    });
    opened.push(flood);
    let ticks = 0;
    let ticksMidFlood = 0;
    let last = performance.now();
    let worstGap = 0;
    const ticker = setInterval(() => {
      const t = performance.now();
      worstGap = Math.max(worstGap, t - last);
      last = t;
      ticks++;
      if (received > 0 && received < 10_000) ticksMidFlood++;
    }, 5);
    const started = performance.now();
    try {
      // The sender blocks whenever the queue is full (net.unix.max_dgram_qlen, 10 here): every datagram gets through.
      const sent = sendDatagrams(flood.address, ['READY=1\nSTATUS=flood'], 10_000);
      await waitFor(() => received === 10_000, 60_000, 'all 10000 datagrams');
      assert.equal((await sent).code, 0);
    } finally {
      spinning = false;
      clearInterval(ticker);
    }
    const elapsed = performance.now() - started;
    const busiest = Math.max(...perTurn.values());
    console.log(
      `flood: 10000 datagrams in ${elapsed.toFixed(0)} ms over ${perTurn.size} turns, at most ${busiest} in one turn; ` +
        `${ticks} ticks of a 5 ms timer (${ticksMidFlood} mid-flood), worst gap ${worstGap.toFixed(1)} ms`,
    );
    assert.ok(busiest <= 256, `${busiest} datagrams read in one turn`);
    assert.ok(ticksMidFlood > 0, 'the timer fired while the flood went on');
    // Another service's socket still works.
    await sendDatagrams(quiet.ch.address, ['READY=1']);
    await waitFor(() => quiet.got.length === 1, 5000, 'the quiet socket');
  });

  void test('the SIGIO listener stays after the last socket closes, so a stray SIGIO is harmless', async () => {
    const before = process.listenerCount('SIGIO');
    const ch = createNotifySockets({ prefix: `zinit-ts-test/${process.pid}/stray` }).open('svc', () => undefined);
    assert.equal(process.listenerCount('SIGIO'), before + 1, 'installed by the first open');
    ch.close();
    assert.equal(process.listenerCount('SIGIO'), before + 1, 'kept after the last close');
    let seen = 0;
    const probe = (): void => void seen++;
    process.on('SIGIO', probe);
    try {
      process.kill(process.pid, 'SIGIO');
      await waitFor(() => seen === 1, 5000, 'the signal, and this process still here');
    } finally {
      process.off('SIGIO', probe);
    }
  });

  void test('an idle notify socket does not keep the event loop alive', async () => {
    const script =
      `const { createNotifySockets } = await import(${JSON.stringify(`${repoRoot}/dist/src/os/notify-socket.js`)});\n` +
      "const ch = createNotifySockets().open('idle', () => {});\n" +
      'console.log(ch.address);\n';
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const code = await within(new Promise((resolve) => child.once('exit', resolve)), 10_000, 'node with an idle socket to exit');
    assert.equal(code, 0);
  });
});

void describe('arrival is signal-driven (negative control)', () => {
  const { lib, koffi } = (() => {
    const libc = openLibc();
    if ('reason' in libc) assert.fail(libc.reason);
    return libc;
  })();
  const fcntl = lib.func('int fcntl(int fd, int cmd, ...)') as (...args: unknown[]) => number;
  const ioctl = lib.func('int ioctl(int fd, unsigned long req, _Out_ int *n)') as (...args: unknown[]) => number;
  const F_GETFL = 3;
  const F_SETFL = 4;
  const SIOCINQ = 0x541b;
  const setAsync = (fd: number, on: boolean): void => {
    const flags = fcntl(fd, F_GETFL);
    assert.equal(fcntl(fd, F_SETFL, 'int', on ? flags | O_ASYNC : flags & ~O_ASYNC), 0, `fcntl errno ${koffi.errno()}`);
  };
  /** Bytes of the next datagram waiting in the socket's queue (SIOCINQ on a datagram socket). */
  const queued = (fd: number): number => {
    const n = [0];
    assert.equal(ioctl(fd, SIOCINQ, n), 0);
    return n[0] ?? 0;
  };

  void test('without O_ASYNC a datagram waits unseen while the loop runs; with it back, the next signal brings both', async () => {
    const { ch, got } = open('control');
    const fd = fdOfAbstract(ch.address);
    setAsync(fd, false);
    await sendDatagrams(ch.address, ['STATUS=unsignalled']);
    assert.ok(queued(fd) > 0, 'the datagram is in the queue');
    // Absence can only be shown over a window: the loop is free (timers fire) and nothing is read.
    // With O_ASYNC the same datagram is delivered within milliseconds (see the tests above).
    let turns = 0;
    await waitFor(() => ++turns >= 30, 5000, 'thirty turns of the loop', 10);
    assert.equal(got.length, 0, 'nothing read without SIGIO');
    assert.ok(queued(fd) > 0, 'still queued');
    setAsync(fd, true);
    await sendDatagrams(ch.address, ['READY=1']);
    await waitFor(() => got.length === 2, 5000, 'both datagrams after SIGIO');
    assert.deepEqual(
      got.map((f) => [...f]),
      [[['STATUS', 'unsignalled']], [['READY', '1']]],
    );
  });

  void test('close delivers what is queued before it returns (nothing lost)', async () => {
    const { ch, got } = open('close-drain');
    setAsync(fdOfAbstract(ch.address), false);
    await sendDatagrams(ch.address, ['STATUS=last words', 'READY=1']);
    assert.equal(got.length, 0);
    ch.close();
    assert.deepEqual(
      got.map((f) => [...f]),
      [[['STATUS', 'last words']], [['READY', '1']]],
    );
  });
});

void describe('notify socket errors', () => {
  void test('no socket calls: a NotifyError with its code, and SIGIO untouched', () => {
    const listeners = process.listenerCount('SIGIO');
    const failing = createNotifySockets({
      dgram: () => {
        throw new NotifyError('NOTIFY_UNAVAILABLE', 'no koffi here');
      },
    });
    assert.throws(
      () => failing.open('svc', () => undefined),
      (err: unknown) => err instanceof NotifyError && err.code === 'NOTIFY_UNAVAILABLE',
    );
    assert.equal(process.listenerCount('SIGIO'), listeners);
  });

  void test('a prefix too long for sun_path is refused with NOTIFY_ADDRESS_INVALID and leaves no socket open', () => {
    const before = new Set(fs.readdirSync('/proc/self/fd'));
    assert.throws(
      () => createNotifySockets({ prefix: 'p'.repeat(200) }).open('svc', () => undefined),
      (err: unknown) => err instanceof NotifyError && err.code === 'NOTIFY_ADDRESS_INVALID',
    );
    assert.deepEqual(
      fs.readdirSync('/proc/self/fd').filter((fd) => !before.has(fd)),
      [],
    );
  });
});
