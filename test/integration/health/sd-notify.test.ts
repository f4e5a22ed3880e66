// The manager's own sd_notify: to our notify socket (abstract), to a python receiver (path), unset, refused, and a full queue.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sdNotify } from '../../../src/os/sd-notify.js';
import { createNotifySockets, type NotifySocket } from '../../../src/os/notify-socket.js';
import { requireUnixDgram } from '../../../src/os/unix-dgram.js';
import { NotifyError } from '../../../src/errors/notify-errors.js';
import { waitFor } from '../../helpers/wait-for.js';
import { fdFlags, O_CLOEXEC, O_NONBLOCK, pythonReceiver } from './datagrams.js';

/** Our descriptors that are sockets, by number. */
function socketFds(): Map<number, string> {
  const found = new Map<number, string>();
  for (const name of fs.readdirSync('/proc/self/fd')) {
    try {
      const link = fs.readlinkSync(`/proc/self/fd/${name}`);
      if (link.startsWith('socket:')) found.set(Number(name), link);
    } catch {
      // The directory's own descriptor, closed by now.
    }
  }
  return found;
}

const port = createNotifySockets({ prefix: `zinit-ts-test/${process.pid}/sd` });
const opened: NotifySocket[] = [];
after(() => opened.forEach((c) => c.close()));

void describe('sdNotify', () => {
  void test('unset or empty NOTIFY_SOCKET: nothing sent, false', () => {
    const errors: NotifyError[] = [];
    assert.equal(sdNotify('READY=1', {}, (e) => errors.push(e)), false);
    assert.equal(sdNotify('READY=1', { NOTIFY_SOCKET: '' }, (e) => errors.push(e)), false);
    assert.deepEqual(errors, []);
  });

  void test('to an abstract socket: READY=1 arrives; one cached non-blocking close-on-exec socket', async () => {
    const got: ReadonlyMap<string, string>[] = [];
    const ch = port.open('manager', (f) => got.push(f));
    opened.push(ch);
    const before = new Set(socketFds().keys());
    assert.equal(sdNotify('READY=1\nSTATUS=up', ch.env), true);
    const added = [...socketFds().keys()].filter((fd) => !before.has(fd));
    assert.equal(added.length, 1, `new sockets: ${added.join(', ')}`);
    const flags = fdFlags(Number(added[0]));
    assert.equal(flags & (O_CLOEXEC | O_NONBLOCK), O_CLOEXEC | O_NONBLOCK, flags.toString(8));
    assert.equal(sdNotify('STATUS=again', ch.env), true);
    assert.deepEqual(
      [...socketFds().keys()].filter((fd) => !before.has(fd)),
      added,
      'the same socket sends again',
    );
    await waitFor(() => got.length === 2, 5000, 'both datagrams');
    assert.equal(got[0]?.get('READY'), '1');
    assert.equal(got[0]?.get('STATUS'), 'up');
    assert.equal(got[1]?.get('STATUS'), 'again');
  });

  void test('to a path socket (python receiving)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zinit-ts-sd-'));
    const sock = path.join(dir, 'notify');
    const py = await pythonReceiver(sock);
    try {
      assert.equal(sdNotify('READY=1\nSTATUS=path', { NOTIFY_SOCKET: sock }), true);
      await waitFor(() => py.received().includes("b'READY=1\\nSTATUS=path'"), 5000, 'python to print the datagram');
    } finally {
      await py.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  void test('failures are false with a NotifyError saying why, never thrown', () => {
    const cases: [string, NotifyError['code'], string | null][] = [
      ['relative/path', 'NOTIFY_ADDRESS_INVALID', null],
      [`@${'x'.repeat(200)}`, 'NOTIFY_ADDRESS_INVALID', null],
      ['/nonexistent/zinit-ts/notify', 'NOTIFY_SOCKET_FAILED', 'ENOENT'],
      [`@zinit-ts-test/${process.pid}/nobody`, 'NOTIFY_SOCKET_FAILED', 'ECONNREFUSED'],
    ];
    for (const [address, code, errno] of cases) {
      const errors: NotifyError[] = [];
      assert.equal(sdNotify('READY=1', { NOTIFY_SOCKET: address }, (e) => errors.push(e)), false, address);
      assert.equal(errors.length, 1, address);
      assert.equal(errors[0]?.code, code, address);
      assert.equal(errors[0]?.errno, errno, address);
    }
  });

  void test('a receiver that does not read: sends until its queue is full, then false at once (dropped, not waited for)', () => {
    // A bound socket nobody reads (no O_ASYNC, no reader): its queue fills.
    const dgram = requireUnixDgram();
    const fd = dgram.socket();
    const address = `@zinit-ts-test/${process.pid}/full`;
    try {
      dgram.bind(fd, address);
      let sent = 0;
      const started = performance.now();
      while (sdNotify('STATUS=fill', { NOTIFY_SOCKET: address })) {
        sent++;
        assert.ok(sent < 1_000_000, 'the queue never filled');
      }
      const ms = performance.now() - started;
      console.log(`sd-notify: ${sent} datagrams queued before the first drop, ${ms.toFixed(1)} ms in all`);
      assert.ok(sent > 0);
      let read = 0;
      const buf = Buffer.alloc(64);
      while (dgram.recv(fd, buf) !== null) read++;
      assert.equal(read, sent, 'every true was a datagram queued');
    } finally {
      dgram.close(fd);
    }
  });
});
