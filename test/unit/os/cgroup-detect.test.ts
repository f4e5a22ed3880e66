// cgroup detection: the /proc parsers on hand-written texts, and detectCgroup against a fake procfs and cgroup directory.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cgroupInstanceKey, detectCgroup, locateCgroup, parseCgroup2Mounts, parseOwnCgroup, type Cgroup2Mount } from '../../../src/os/cgroup-detect.js';

const HYBRID_MOUNTINFO = `22 1 0:20 / /sys rw,nosuid,nodev,noexec,relatime - sysfs sysfs rw
30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;
const HYBRID_CGROUP = `9:name=systemd:/
4:memory:/process_api/961beca768b8144b6146590ca1d2d6ab
1:cpu:/
0::/
`;
const PURE_V2_MOUNTINFO = `24 30 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
26 24 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
`;
const DOCKER_MOUNTINFO = `612 611 0:58 / / rw,relatime master:301 - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w
620 619 0:29 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw,nsdelegate,memory_recursiveprot
`;
const V1_ONLY_MOUNTINFO = `30 22 0:27 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
31 30 0:28 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,memory
`;
const V1_ONLY_CGROUP = `12:memory:/user.slice
1:name=systemd:/user.slice/user-1000.slice/session-2.scope
`;

const mount = (mountPoint: string, root = '/', readOnly = false): Cgroup2Mount => ({ mountPoint, root, readOnly });

void describe('parseOwnCgroup', () => {
  void test('the 0:: line of a hybrid host', () => {
    assert.equal(parseOwnCgroup(HYBRID_CGROUP), '/');
  });
  void test('a systemd service on a pure v2 host', () => {
    assert.equal(parseOwnCgroup('0::/system.slice/zinit-ts.service\n'), '/system.slice/zinit-ts.service');
  });
  void test('a path with spaces is taken whole', () => {
    assert.equal(parseOwnCgroup('0::/a b/c\n'), '/a b/c');
  });
  void test('v1 only: null', () => {
    assert.equal(parseOwnCgroup(V1_ONLY_CGROUP), null);
    assert.equal(parseOwnCgroup(''), null);
  });
});

void describe('parseCgroup2Mounts', () => {
  void test('hybrid host: only the unified mount, not the v1 ones or the tmpfs', () => {
    assert.deepEqual(parseCgroup2Mounts(HYBRID_MOUNTINFO), [mount('/sys/fs/cgroup/unified')]);
  });
  void test('pure v2 with optional fields before the separator', () => {
    assert.deepEqual(parseCgroup2Mounts(PURE_V2_MOUNTINFO), [mount('/sys/fs/cgroup')]);
  });
  void test('a container: read-only per mount although the superblock is rw', () => {
    assert.deepEqual(parseCgroup2Mounts(DOCKER_MOUNTINFO), [mount('/sys/fs/cgroup', '/', true)]);
  });
  void test('a read-only superblock counts as read-only', () => {
    assert.deepEqual(parseCgroup2Mounts('40 30 0:37 / /cg rw,relatime - cgroup2 cgroup2 ro\n'), [mount('/cg', '/', true)]);
  });
  void test('escaped spaces, tabs and backslashes in the mount point and root are unescaped', () => {
    const text = '40 30 0:37 /my\\040sub /mnt/my\\040cgroup\\011x\\134y rw - cgroup2 cgroup2 rw\n';
    assert.deepEqual(parseCgroup2Mounts(text), [mount('/mnt/my cgroup\tx\\y', '/my sub')]);
  });
  void test('a bind-mounted subtree keeps its root', () => {
    const text = '50 40 0:29 /docker/abc /sys/fs/cgroup rw,nosuid shared:1 master:2 - cgroup2 cgroup2 rw\n';
    assert.deepEqual(parseCgroup2Mounts(text), [mount('/sys/fs/cgroup', '/docker/abc')]);
  });
  void test('v1 only: none', () => {
    assert.deepEqual(parseCgroup2Mounts(V1_ONLY_MOUNTINFO), []);
  });
  void test('a source named cgroup2 on another filesystem type is not one', () => {
    assert.deepEqual(parseCgroup2Mounts('40 30 0:37 / /x rw - tmpfs cgroup2 rw\n'), []);
  });
});

void describe('locateCgroup', () => {
  void test('hybrid host, root cgroup', () => {
    assert.deepEqual(locateCgroup('/', [mount('/sys/fs/cgroup/unified')]), { dir: '/sys/fs/cgroup/unified', mount: mount('/sys/fs/cgroup/unified') });
  });
  void test('nested systemd service path', () => {
    assert.equal(locateCgroup('/system.slice/zinit-ts.service', [mount('/sys/fs/cgroup')])?.dir, '/sys/fs/cgroup/system.slice/zinit-ts.service');
  });
  void test('container with its own cgroup namespace: / is the mount point', () => {
    assert.equal(locateCgroup('/', parseCgroup2Mounts(DOCKER_MOUNTINFO))?.dir, '/sys/fs/cgroup');
  });
  void test('a bind-mounted subtree: the rest of the path below the root', () => {
    const m = mount('/sys/fs/cgroup', '/docker/abc');
    assert.equal(locateCgroup('/docker/abc', [m])?.dir, '/sys/fs/cgroup');
    assert.equal(locateCgroup('/docker/abc/sub', [m])?.dir, '/sys/fs/cgroup/sub');
  });
  void test('the root is compared by whole components', () => {
    assert.equal(locateCgroup('/docker/abcd', [mount('/sys/fs/cgroup', '/docker/abc')]), null);
  });
  void test('a read-write mount is preferred over a read-only one, then the deepest root', () => {
    const ro = mount('/ro', '/', true);
    const rw = mount('/rw');
    const deep = mount('/deep', '/a');
    assert.equal(locateCgroup('/a/b', [ro, rw])?.dir, '/rw/a/b');
    assert.equal(locateCgroup('/a/b', [rw, ro])?.dir, '/rw/a/b');
    assert.equal(locateCgroup('/a/b', [rw, deep])?.dir, '/deep/b');
    assert.deepEqual(locateCgroup('/a', [ro])?.mount, ro);
  });
  void test('a cgroup outside our namespace (/..) or no mount: null', () => {
    assert.equal(locateCgroup('/../other', [mount('/sys/fs/cgroup')]), null);
    assert.equal(locateCgroup('/', []), null);
  });
});

void describe('cgroupInstanceKey', () => {
  void test('12 hex digits, the same for the same socket however it is spelt', () => {
    const key = cgroupInstanceKey('/run/zinit.sock');
    assert.match(key, /^[0-9a-f]{12}$/);
    assert.equal(cgroupInstanceKey('/run/../run/zinit.sock'), key);
    assert.notEqual(cgroupInstanceKey('/run/other.sock'), key);
  });
});

void describe('detectCgroup with a fake /proc', () => {
  let dir: string;
  const procWith = (cgroup: string, mountinfo: string): string => {
    const proc = fs.mkdtempSync(path.join(dir, 'proc-'));
    fs.mkdirSync(path.join(proc, 'self'));
    fs.writeFileSync(path.join(proc, 'self', 'cgroup'), cgroup);
    fs.writeFileSync(path.join(proc, 'self', 'mountinfo'), mountinfo);
    return proc;
  };
  /** A plain directory standing for a cgroup2 mount: enough for the path logic and the trial mkdir. */
  const fakeMount = (procs: string): string => {
    const cg = fs.mkdtempSync(path.join(dir, 'cg-'));
    fs.writeFileSync(path.join(cg, 'cgroup.procs'), procs);
    return cg;
  };
  const mountinfoFor = (mountPoint: string, opts = 'rw'): string => `40 30 0:37 / ${mountPoint} ${opts},relatime - cgroup2 cgroup2 rw\n`;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zinit-cgdetect-'));
  });
  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  void test('off: proc mode, the sentence names the option', () => {
    const r = detectCgroup({ setting: 'off', instanceKey: 'k' });
    assert.equal(r.mode, 'proc');
    assert.match(r.mode === 'proc' ? r.why : '', /--cgroup off/);
  });

  void test('v1 only: proc mode saying so', () => {
    const r = detectCgroup({ setting: 'auto', procRoot: procWith(V1_ONLY_CGROUP, V1_ONLY_MOUNTINFO), instanceKey: 'k' });
    assert.equal(r.mode, 'proc');
    assert.match(r.mode === 'proc' ? r.why : '', /only cgroup v1/);
  });

  void test('no procfs: proc mode saying so', () => {
    const r = detectCgroup({ setting: 'auto', procRoot: path.join(dir, 'none'), instanceKey: 'k' });
    assert.equal(r.mode, 'proc');
    assert.match(r.mode === 'proc' ? r.why : '', /mount procfs/);
  });

  void test('our cgroup in no cgroup2 mount: proc mode', () => {
    const r = detectCgroup({ setting: 'auto', procRoot: procWith('0::/../x\n', PURE_V2_MOUNTINFO), instanceKey: 'k' });
    assert.equal(r.mode, 'proc');
    assert.match(r.mode === 'proc' ? r.why : '', /in no mounted cgroup2/);
  });

  void test('a read-only mount (Docker default): proc mode saying how to get a writable one', () => {
    const r = detectCgroup({ setting: 'auto', procRoot: procWith('0::/\n', DOCKER_MOUNTINFO), instanceKey: 'k' });
    assert.equal(r.mode, 'proc');
    assert.match(r.mode === 'proc' ? r.why : '', /mounted read-only \(Docker and Kubernetes do this by default\); give the container a writable one/);
  });

  void test('our cgroup holds only us and nothing foreign: it is the base', () => {
    const cg = fakeMount('4242\n');
    fs.mkdirSync(path.join(cg, 'zinit-ts-services'));
    const r = detectCgroup({ setting: 'auto', procRoot: procWith('0::/\n', mountinfoFor(cg)), selfPid: 4242, instanceKey: 'k' });
    assert.deepEqual(r, { mode: 'cgroup', base: cg, own: cg });
    assert.deepEqual(fs.readdirSync(cg).sort(), ['cgroup.procs', 'zinit-ts-services'], 'the trial cgroup was removed');
  });

  void test('another process in our cgroup: the base is a child named by the instance key', () => {
    const cg = fakeMount('4242\n4243\n');
    const r = detectCgroup({ setting: 'auto', procRoot: procWith('0::/\n', mountinfoFor(cg)), selfPid: 4242, instanceKey: 'abc' });
    assert.deepEqual(r, { mode: 'cgroup', base: path.join(cg, 'zinit-ts-abc'), own: cg });
  });

  void test('a child cgroup someone else made: the base is a child named by the instance key', () => {
    const cg = fakeMount('4242\n');
    fs.mkdirSync(path.join(cg, 'init.scope'));
    const r = detectCgroup({ setting: 'auto', procRoot: procWith('0::/\n', mountinfoFor(cg)), selfPid: 4242, instanceKey: 'abc' });
    assert.equal(r.mode === 'cgroup' ? r.base : null, path.join(cg, 'zinit-ts-abc'));
  });

  void test('a nested own path is found below the mount point', () => {
    const cg = fakeMount('');
    const unit = path.join(cg, 'system.slice', 'zinit-ts.service');
    fs.mkdirSync(unit, { recursive: true });
    fs.writeFileSync(path.join(unit, 'cgroup.procs'), '7\n');
    const r = detectCgroup({ setting: 'auto', procRoot: procWith('0::/system.slice/zinit-ts.service\n', mountinfoFor(cg)), selfPid: 7, instanceKey: 'k' });
    assert.deepEqual(r, { mode: 'cgroup', base: unit, own: unit });
  });

  void test('explicit PATH: relative, outside any cgroup2 mount, or on a read-only one is an error', () => {
    const cg = fakeMount('');
    const proc = procWith('0::/\n', mountinfoFor(cg));
    const rel = detectCgroup({ setting: 'relative/dir', procRoot: proc, instanceKey: 'k' });
    assert.equal(rel.mode, 'error');
    assert.match(rel.mode === 'error' ? rel.why : '', /must be absolute/);
    const outside = detectCgroup({ setting: dir, procRoot: proc, instanceKey: 'k' });
    assert.equal(outside.mode, 'error');
    assert.match(outside.mode === 'error' ? outside.why : '', /not inside a mounted cgroup2 filesystem/);
    const ro = detectCgroup({ setting: path.join(cg, 'x'), procRoot: procWith('0::/\n', mountinfoFor(cg, 'ro')), instanceKey: 'k' });
    assert.equal(ro.mode, 'error');
    assert.match(ro.mode === 'error' ? ro.why : '', /read-only/);
  });

  void test('explicit PATH inside a mount: it is the base, created when missing', () => {
    const cg = fakeMount('1\n2\n');
    const want = path.join(cg, 'mine');
    const r = detectCgroup({ setting: want, procRoot: procWith('0::/\n', mountinfoFor(cg)), instanceKey: 'k' });
    assert.deepEqual(r, { mode: 'cgroup', base: want, own: cg });
    assert.ok(fs.statSync(want).isDirectory());
  });

  void test('explicit PATH whose parent does not exist is an error', () => {
    const cg = fakeMount('');
    const r = detectCgroup({ setting: path.join(cg, 'a', 'b'), procRoot: procWith('0::/\n', mountinfoFor(cg)), instanceKey: 'k' });
    assert.equal(r.mode, 'error');
    assert.match(r.mode === 'error' ? r.why : '', /cannot be created \(ENOENT\)/);
  });
});
