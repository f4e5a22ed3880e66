// libc over koffi, exercised on real processes: peeking at and reaping zombies, subreaper, reboot in a PID namespace.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { decodeWaitStatus, loadLibc, systemPageSize, type Libc } from '../../../src/os/libc.js';
import { readOwnChildren, readStat } from '../../../src/os/proc.js';
import { repoRoot } from '../../helpers/paths.js';
import { waitFor } from '../../helpers/wait-for.js';
import { exitOf } from './bounded.js';

function libc(): Libc {
  const loaded = loadLibc();
  if ('error' in loaded) assert.fail(loaded.error);
  return loaded.libc;
}

void describe('loadLibc', () => {
  void test('loads once and hands back the same bindings', () => {
    const a = loadLibc();
    const b = loadLibc();
    assert.ok('libc' in a && 'libc' in b);
    assert.equal(a.libc, b.libc);
  });

  void test('getpid and sysconf agree with node', () => {
    assert.equal(libc().getpid(), process.pid);
    assert.equal(systemPageSize(), Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim()));
  });

  // Its flush is not observable here (other processes dirty pages too): only that the binding is callable.
  void test('sync is bound and callable', () => {
    assert.doesNotThrow(() => libc().sync());
  });
});

void describe('waiting', () => {
  void test('waitidPeek is null with no zombie child, live children included', async () => {
    assert.equal(libc().waitidPeek(), null);
    const child = spawn('/bin/sleep', ['30'], { stdio: 'ignore' });
    assert.equal(libc().waitidPeek(), null);
    assert.equal(libc().waitpidNoHang(child.pid ?? -1), null, 'a live child is not reaped');
    child.kill('SIGKILL');
    const [, signal] = await exitOf(child);
    assert.equal(signal, 'SIGKILL', 'libuv still got the status after our WNOHANG wait');
  });

  void test('waitpidNoHang is null for a pid that is not our child, and refuses wait-any', () => {
    assert.equal(libc().waitpidNoHang(1), null);
    assert.equal(libc().waitpidNoHang(process.pid), null);
    assert.throws(() => libc().waitpidNoHang(-1), RangeError);
    assert.throws(() => libc().waitpidNoHang(0), RangeError);
  });

  void test('as a subreaper, peek finds an orphaned zombie without reaping it, waitpid reaps it', async () => {
    libc().setChildSubreaper();
    // The subshell forks sleep and exits at once; sleep is reparented to us and becomes a zombie here.
    const child = spawn('/bin/sh', ['-c', '(/bin/sleep 0.2; exit 0) & exit 0'], { stdio: 'ignore' });
    await exitOf(child);
    const orphan = await waitFor(() => readOwnChildren().find((pid) => pid !== child.pid), 5000, 'the orphan to be reparented');
    assert.equal(readStat(orphan)?.ppid, process.pid);

    const peeked = await waitFor(() => libc().waitidPeek(), 5000, 'the orphan to become a zombie');
    assert.equal(peeked.pid, orphan);
    assert.equal(libc().waitidPeek()?.pid, orphan, 'WNOWAIT left it in place');
    assert.equal(readStat(orphan)?.state, 'Z');

    const reaped = libc().waitpidNoHang(orphan);
    assert.deepEqual(reaped, { pid: orphan, status: 0 });
    assert.equal(readStat(orphan), null);
    assert.equal(libc().waitidPeek(), null);
  });

  void test('exit codes and signals come back in the raw status', async () => {
    const child = spawn(
      '/bin/sh',
      ['-c', "(/bin/sleep 0.1; exit 7) & /bin/sh -c '/bin/sleep 0.1; kill -s TERM $$' & exit 0"],
      { stdio: 'ignore' },
    );
    await exitOf(child);
    const orphans = await waitFor(() => {
      const kids = readOwnChildren();
      return kids.length === 2 && kids.every((pid) => readStat(pid)?.state === 'Z') ? kids : null;
    }, 5000, 'two orphaned zombies');
    const decoded = orphans.map((pid) => decodeWaitStatus(libc().waitpidNoHang(pid)?.status ?? -1));
    assert.deepEqual(
      decoded.sort((a, b) => (a.code ?? 0) - (b.code ?? 0)),
      [{ code: null, signal: 15 }, { code: 7, signal: null }],
    );
  });
});

void describe('reboot', () => {
  // reboot(2) from PID 1 of a child PID namespace only ends that namespace, reported as death by SIGHUP (restart)
  // or SIGINT (power off, halt). The script refuses to call it unless it really is PID 1 of a fresh namespace.
  const script = path.join(repoRoot, 'dist', 'test', 'unit', 'os', 'reboot-in-namespace.js');
  const run = (how: string): ReturnType<typeof spawnSync> =>
    spawnSync('unshare', ['--pid', '--fork', '--mount-proc', process.execPath, script, how], { encoding: 'utf8', timeout: 20000 });

  const unshare = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']);
  const skip = unshare.status === 0 ? false : 'unshare --pid is not permitted here';

  for (const [how, signal] of [['reboot', 'SIGHUP'], ['poweroff', 'SIGINT'], ['halt', 'SIGINT']] as const) {
    void test(`${how} ends the namespace with ${signal}`, { skip }, () => {
      const result = run(how);
      assert.equal(result.signal ?? `exit ${result.status} ${String(result.stderr)}`, signal);
    });
  }
});
