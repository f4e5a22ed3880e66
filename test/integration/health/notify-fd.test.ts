// `notify: fd`: the child's fd 3 is the write end of a socketpair whose other end this process reads for the child's whole life.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnProcess, signalQuietly } from '../../../src/os/spawn.js';
import type { ProcessHandle, SpawnRequest } from '../../../src/supervisor/ports.js';
import { createNotifySockets } from '../../../src/os/notify-socket.js';
import { within } from '../../unit/os/bounded.js';
import { waitFor } from '../../helpers/wait-for.js';

function request(script: string, notifyFd?: (text: string) => void): SpawnRequest {
  return {
    service: 'notify-fd',
    role: 'main',
    argv: ['sh', '-c', script],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    cwd: '/',
    uid: null,
    gid: null,
    output: null,
    ...(notifyFd ? { notifyFd } : {}),
  };
}

/** Our descriptors that are sockets (socket:[inode]). */
function ourSockets(): Set<string> {
  const found = new Set<string>();
  for (const name of fs.readdirSync('/proc/self/fd')) {
    try {
      const link = fs.readlinkSync(`/proc/self/fd/${name}`);
      if (link.startsWith('socket:')) found.add(link);
    } catch {
      // The directory's own descriptor.
    }
  }
  return found;
}

const fd3Of = (pid: number): string | null => {
  try {
    return fs.readlinkSync(`/proc/${pid}/fd/3`);
  } catch {
    return null;
  }
};

async function stop(h: ProcessHandle): Promise<void> {
  signalQuietly(-h.pid, 'SIGKILL');
  await within(h.exited, 5000, `pid ${h.pid} to exit`);
}

void describe('notify: fd', () => {
  void test('what the child writes on fd 3 is passed on as it arrives', async () => {
    const chunks: string[] = [];
    let wroteAt = 0;
    const h = spawnProcess(
      request('sleep 0.2; echo >&3; sleep 5', (t) => {
        wroteAt ||= performance.now();
        chunks.push(t);
      }),
    );
    const spawnedAt = performance.now();
    try {
      assert.ok(h.pid > 0, h.spawnError ?? '');
      assert.match(fd3Of(h.pid) ?? 'none', /^socket:/);
      assert.deepEqual(chunks, [], 'nothing before the child writes');
      await waitFor(() => chunks.join('') === '\n', 5000, 'the newline from fd 3');
      assert.ok(wroteAt - spawnedAt >= 150, `arrived ${(wroteAt - spawnedAt).toFixed(0)} ms after the spawn, not before the child's sleep`);
    } finally {
      await stop(h);
    }
  });

  void test('a child writing far more than a socket buffer after readiness neither blocks nor meets SIGPIPE, and ends with its own status', async () => {
    let bytes = 0;
    // 4 MiB: many times the socketpair's buffer, so the child would block if nothing read.
    const h = spawnProcess(request('echo >&3; head -c 4194304 /dev/zero >&3 || exit 99; echo done >&3; exit 7', (t) => (bytes += t.length)));
    const status = await within(h.exited, 20_000, 'the writer to exit');
    assert.deepEqual(status, { code: 7, signal: null });
    assert.ok(bytes >= 4_194_304 + 1, `${bytes} bytes read`);
  });

  void test('our end closes when the child exits; a descendant still holding fd 3 then gets EPIPE', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zinit-ts-notify-fd-'));
    const report = path.join(dir, 'late-write');
    const before = ourSockets();
    const got: string[] = [];
    try {
      // The descendant keeps fd 3 past the main process's exit, waits for our end to go, then tries to write.
      const h = spawnProcess(
        request(
          `(trap '' PIPE; while [ ! -e ${report}.go ]; do sleep 0.05; done; if echo late >&3; then echo written; else echo refused; fi > ${report}) & echo >&3; exit 0`,
          (t) => got.push(t),
        ),
      );
      assert.deepEqual(await within(h.exited, 5000, 'the main process to exit'), { code: 0, signal: null });
      await waitFor(() => [...ourSockets()].every((s) => before.has(s)), 5000, 'our end of the socketpair to close');
      fs.writeFileSync(`${report}.go`, '');
      const line = (): string | null => {
        const text = fs.existsSync(report) ? fs.readFileSync(report, 'utf8') : '';
        return text.endsWith('\n') ? text : null;
      };
      const result = await waitFor(line, 5000, 'the late write');
      assert.equal(result, 'refused\n', 'the write after the main process exited met a closed socket');
      assert.equal(got.join(''), '\n');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  void test('fd 3 goes only to the child that asked for it', async () => {
    // Beside it: a notify socket (koffi) and another child's notify fd, both open here.
    const ch = createNotifySockets({ prefix: `zinit-ts-test/${process.pid}/fd3` }).open('beside', () => undefined);
    const withFd = spawnProcess(request('exec sleep 30', () => undefined));
    const without = spawnProcess(request('exec sleep 30'));
    try {
      assert.ok(withFd.pid > 0 && without.pid > 0);
      await waitFor(() => fs.readlinkSync(`/proc/${without.pid}/exe`).endsWith('/sleep'), 5000, 'the exec');
      assert.match(fd3Of(withFd.pid) ?? 'none', /^socket:/);
      assert.equal(fd3Of(without.pid), null, `fd 3 of a child without notify: ${fd3Of(without.pid)}`);
      const fds = fs.readdirSync(`/proc/${without.pid}/fd`).map(Number);
      for (const fd of fds.filter((n) => n > 2)) {
        assert.doesNotMatch(fs.readlinkSync(`/proc/${without.pid}/fd/${fd}`), /^socket:/, `fd ${fd} of a child without notify is a socket`);
      }
    } finally {
      ch.close();
      await stop(withFd);
      await stop(without);
    }
  });
});
