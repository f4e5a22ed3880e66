// cgroupFs on the real cgroup2 filesystem: errors with errno and path, and the populated watch through a double fork and cgroup.kill.
import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { CgroupError } from '../../../src/errors/cgroup-errors.js';
import { cgroupInstanceKey, detectCgroup } from '../../../src/os/cgroup-detect.js';
import { cgroupFs } from '../../../src/os/cgroup-fs.js';
import { containedArgv } from '../../../src/os/cgroup-shim.js';
import { isAlive } from '../../helpers/proc.js';
import { waitFor } from '../../helpers/wait-for.js';
import { finish, makeTestCgroup, procsOf, removeTestCgroups, skipReason, start, trackTestCgroup, UNIFIED } from './test-cgroups.js';

const skip = skipReason();
if (skip !== false) console.log(`# cgroupFs tests skipped: ${skip}`);
const PATH = '/usr/bin:/bin';
const closers: (() => void)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0)) close();
  await removeTestCgroups();
});

function cgroupErrorWith(errno: string, file: string): (err: unknown) => boolean {
  return (err) => err instanceof CgroupError && err.code === 'CGROUP_IO' && err.errno === errno && err.path === file;
}

const populatedOf = (dir: string): string | undefined => /^populated (\d)$/m.exec(cgroupFs.read(path.join(dir, 'cgroup.events')) ?? '')?.[1];

void describe('cgroupFs on /sys/fs/cgroup/unified', { skip }, () => {
  void test('mkdir (twice is fine), children, rmdir (gone or never there: true)', () => {
    const dir = makeTestCgroup();
    cgroupFs.mkdir(path.join(dir, 'a'));
    cgroupFs.mkdir(path.join(dir, 'a'));
    cgroupFs.mkdir(path.join(dir, 'b'));
    assert.deepEqual(cgroupFs.children(dir).sort(), ['a', 'b'], 'directories only, not the interface files');
    assert.deepEqual(cgroupFs.children(path.join(dir, 'nope')), []);
    assert.equal(cgroupFs.rmdir(path.join(dir, 'a')), true);
    assert.equal(cgroupFs.rmdir(path.join(dir, 'a')), true);
    assert.equal(cgroupFs.rmdir(path.join(dir, 'b')), true);
    assert.throws(() => cgroupFs.mkdir(path.join(dir, 'x', 'y')), cgroupErrorWith('ENOENT', path.join(dir, 'x', 'y')));
  });

  void test('rmdir of a cgroup with a child cgroup or a process: false, and it stays', async () => {
    const dir = makeTestCgroup();
    cgroupFs.mkdir(path.join(dir, 'child'));
    assert.equal(cgroupFs.rmdir(dir), false);
    cgroupFs.rmdir(path.join(dir, 'child'));
    const child = start(containedArgv({ procsFile: path.join(dir, 'cgroup.procs'), argv: ['cat'], env: { PATH }, uid: null, gid: null, setpriv: null }));
    await waitFor(() => procsOf(dir).length === 1, 5000, 'cat in the cgroup');
    assert.equal(cgroupFs.rmdir(dir), false);
    assert.ok(fs.existsSync(dir));
    await finish(child);
    await waitFor(() => populatedOf(dir) === '0', 5000, 'the cgroup to empty');
    assert.equal(cgroupFs.rmdir(dir), true);
  });

  void test('write moves a process; read gives the file, null when missing; refusals carry errno and path', async () => {
    const dir = makeTestCgroup();
    const procs = path.join(dir, 'cgroup.procs');
    const child = start({ file: 'cat', args: [], env: { PATH } });
    const pid = child.pid ?? 0;
    cgroupFs.write(procs, String(pid));
    assert.equal(cgroupFs.read(procs), `${pid}\n`);
    assert.equal(cgroupFs.read(path.join(dir, 'memory.max')), null, 'no memory controller here');
    assert.equal(cgroupFs.read(path.join(dir, 'gone', 'cgroup.procs')), null);
    assert.throws(() => cgroupFs.write(procs, 'abc'), cgroupErrorWith('EINVAL', procs));
    assert.throws(() => cgroupFs.write(procs, '999999999'), cgroupErrorWith('ESRCH', procs));
    const memoryMax = path.join(dir, 'memory.max');
    assert.throws(() => cgroupFs.write(memoryMax, '1M'), cgroupErrorWith('ENOENT', memoryMax), 'a missing file is not created');
    await finish(child);
  });

  void test('watch: populated 1 -> 0 is told when the last process exits', async () => {
    const dir = makeTestCgroup();
    const events = path.join(dir, 'cgroup.events');
    let calls = 0;
    closers.push(cgroupFs.watch(events, () => calls++));
    const child = start(containedArgv({ procsFile: path.join(dir, 'cgroup.procs'), argv: ['cat'], env: { PATH }, uid: null, gid: null, setpriv: null }));
    await waitFor(() => populatedOf(dir) === '1', 5000, 'populated 1');
    await waitFor(() => calls >= 1, 5000, 'the watch to see populated 1');
    const before = calls;
    await finish(child);
    await waitFor(() => calls > before, 5000, 'the watch to see the exit');
    assert.equal(populatedOf(dir), '0');
  });

  void test('watch: a setsid double-forked grandchild keeps it populated after its parent exits, cgroup.kill ends it', async () => {
    const dir = makeTestCgroup();
    const events = path.join(dir, 'cgroup.events');
    const flips: string[] = [];
    closers.push(cgroupFs.watch(events, () => flips.push(populatedOf(dir) ?? 'gone')));
    const script = '(setsid sleep 300 </dev/null >/dev/null 2>&1 &) ; exit 0';
    const parent = await finish(start(containedArgv({ procsFile: path.join(dir, 'cgroup.procs'), argv: ['/bin/sh', '-c', script], env: { PATH }, uid: null, gid: null, setpriv: null })));
    assert.equal(parent.code, 0);
    const [grandchild] = await waitFor(() => {
      const pids = procsOf(dir);
      return pids.length === 1 && fs.readlinkSync(`/proc/${pids[0]}/exe`).endsWith('/sleep') ? pids : null;
    }, 5000, 'only the grandchild left');
    assert.ok(grandchild !== undefined && isAlive(grandchild));
    assert.equal(populatedOf(dir), '1', 'the parent is gone, the cgroup is not empty');
    const seen = flips.length;
    cgroupFs.write(path.join(dir, 'cgroup.kill'), '1');
    await waitFor(() => flips.slice(seen).includes('0'), 5000, 'the watch to see populated 0');
    await waitFor(() => !isAlive(grandchild), 5000, 'the grandchild to die');
  });

  void test('watch of a missing file: a closer that does nothing; closing twice is fine; a watched cgroup can be removed', () => {
    const noop = cgroupFs.watch(path.join(UNIFIED, 'zinit-ts-no-such-cgroup', 'cgroup.events'), () => assert.fail('no calls'));
    noop();
    noop();
    const dir = makeTestCgroup();
    // kernfs sends inotify events for changed contents only (kernfs_notify), none for the removal.
    const close = cgroupFs.watch(path.join(dir, 'cgroup.events'), () => undefined);
    closers.push(close);
    assert.equal(cgroupFs.rmdir(dir), true);
    close();
    close();
  });
});

void describe('detectCgroup on this host', { skip }, () => {
  void test('auto: our cgroup is found; the root holds other processes, so the base is a child named by the key', () => {
    const key = cgroupInstanceKey(`/run/zinit-ts-test-${process.pid}.sock`);
    const r = detectCgroup({ setting: 'auto', instanceKey: key });
    const own = /^0::(.*)$/m.exec(fs.readFileSync('/proc/self/cgroup', 'utf8'))?.[1] ?? '';
    const ownDir = own === '/' ? UNIFIED : path.join(UNIFIED, own);
    assert.deepEqual(r, { mode: 'cgroup', base: path.join(ownDir, `zinit-ts-${key}`), own: ownDir });
    assert.deepEqual(cgroupFs.children(ownDir).filter((n) => n.startsWith('zinit-ts-probe-')), [], 'the trial cgroup was removed');
  });

  void test('an explicit PATH inside the mount is the base (created); one outside any cgroup2 mount is an error', () => {
    const want = path.join(UNIFIED, `zinit-ts-test-explicit-${process.pid}`);
    trackTestCgroup(want);
    const r = detectCgroup({ setting: want, instanceKey: 'k' });
    assert.equal(r.mode, 'cgroup');
    assert.equal(r.mode === 'cgroup' ? r.base : '', want);
    assert.ok(fs.existsSync(path.join(want, 'cgroup.procs')), 'a real cgroup');
    assert.equal(detectCgroup({ setting: '/tmp', instanceKey: 'k' }).mode, 'error');
  });
});
