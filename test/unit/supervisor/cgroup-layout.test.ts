// The daemon's cgroups against an in-memory cgroup tree: every directory made, every write, every removal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CgroupLayout } from '../../../src/supervisor/cgroup-layout.js';
import { NO_LIMITS, type ServiceLimits } from '../../../src/config/types.js';
import { FakeCgroupFs } from '../../helpers/fake-cgroup-fs.js';
import { CgroupError } from '../../../src/errors/cgroup-errors.js';

const ROOT = '/cg';
const BASE = '/cg/zinit-ts-abc';
const SELF = 100;

function setup(offered: readonly string[] = []) {
  const fs = new FakeCgroupFs(ROOT, offered);
  fs.mkdir(BASE);
  fs.addProcess(BASE, SELF);
  fs.addProcess(BASE, 101);
  const layout = new CgroupLayout({ fs, base: BASE, selfPid: SELF });
  layout.setUp();
  return { fs, layout };
}

const limits = (over: Partial<ServiceLimits>): ServiceLimits => ({ ...NO_LIMITS, ...over });

test('setUp: the tree is made, the daemon and what else sat in base move to manager/, base holds no process', () => {
  const { fs, layout } = setup();
  assert.deepEqual(fs.tree(), [ROOT, BASE, `${BASE}/manager`, `${BASE}/post-stop`, `${BASE}/runs`, `${BASE}/services`]);
  assert.equal(fs.dirOf(SELF), `${BASE}/manager`);
  assert.equal(fs.dirOf(101), `${BASE}/manager`);
  assert.equal(fs.read(`${BASE}/cgroup.procs`), '');
  assert.deepEqual(layout.controllers, [], 'nothing is offered: nothing enabled');
  assert.deepEqual(
    fs.writes.filter((w) => w.file.endsWith('subtree_control')),
    [],
    'no controller is asked for when the parent offers none',
  );
});

test('setUp: every limit controller the parent offers is enabled for base and services/, and only those', () => {
  const { fs, layout } = setup(['cpuset', 'memory', 'pids', 'io']);
  assert.deepEqual([...layout.controllers].sort(), ['memory', 'pids']);
  assert.deepEqual(
    fs.writes.filter((w) => w.file.endsWith('subtree_control')),
    [
      { file: `${BASE}/cgroup.subtree_control`, text: '+memory' },
      { file: `${BASE}/services/cgroup.subtree_control`, text: '+memory' },
      { file: `${BASE}/cgroup.subtree_control`, text: '+pids' },
      { file: `${BASE}/services/cgroup.subtree_control`, text: '+pids' },
    ],
  );
  assert.equal(layout.whyNot('memory'), null);
  assert.match(layout.whyNot('cpu') ?? '', /the cpu controller is not available in \/cg\/zinit-ts-abc \(its cgroup\.controllers lists cpuset memory pids io\); the parent cgroup must delegate it/);
});

test('leaves: a service and its probes share NAME.service, post_stop sits beside it, each transient run has its own', () => {
  const { layout } = setup();
  assert.equal(layout.leafFor('web', 'main'), `${BASE}/services/web.service`);
  assert.equal(layout.leafFor('web', 'test'), `${BASE}/services/web.service`);
  assert.equal(layout.leafFor('web', 'post-stop'), `${BASE}/post-stop/web.service`);
  assert.equal(layout.leafFor('run/run-7', 'run'), `${BASE}/runs/run-7`);
  // A name that is a cgroup interface file cannot clash with one: every service leaf ends in .service.
  assert.equal(layout.leafFor('memory.max', 'main'), `${BASE}/services/memory.max.service`);
});

test('enter: the leaf is made and every limit file of an enabled controller is written, unset ones back to the kernel default', () => {
  const { fs, layout } = setup(['memory', 'pids', 'cpu']);
  const leaf = layout.leafFor('db', 'main');
  const procs = layout.enter(leaf, limits({ memoryMax: 512 * 1024 ** 2, pidsMax: 64, cpuMax: { quotaUs: 50_000, periodUs: 100_000 } }));
  assert.equal(procs, `${leaf}/cgroup.procs`);
  assert.deepEqual(
    fs.writes.filter((w) => w.file.startsWith(`${leaf}/`)),
    [
      { file: `${leaf}/memory.max`, text: String(512 * 1024 ** 2) },
      { file: `${leaf}/memory.high`, text: 'max' },
      { file: `${leaf}/pids.max`, text: '64' },
      { file: `${leaf}/cpu.weight`, text: '100' },
      { file: `${leaf}/cpu.max`, text: '50000 100000' },
    ],
  );
  assert.equal(fs.read(`${leaf}/memory.max`), String(512 * 1024 ** 2));
  assert.deepEqual(layout.limitReport(limits({ memoryMax: 1, cpuWeight: 10 })), { enforced: ['memory_max', 'cpu_weight'], notEnforced: [] });
});

test('enter: without controllers no limit file is written, and the report says why each set limit is not enforced', () => {
  const { fs, layout } = setup();
  const leaf = layout.leafFor('db', 'main');
  layout.enter(leaf, limits({ memoryMax: 1 << 20, pidsMax: 5 }));
  assert.deepEqual(fs.writes.filter((w) => w.file.startsWith(`${leaf}/`)), []);
  const report = layout.limitReport(limits({ memoryMax: 1 << 20, pidsMax: 5 }));
  assert.deepEqual(report.enforced, []);
  assert.deepEqual(report.notEnforced.map((n) => n.key), ['memory_max', 'pids_max']);
  assert.match(report.notEnforced[0]?.why ?? '', /memory controller is not available .* lists none/);
  assert.deepEqual(layout.limitReport(NO_LIMITS), { enforced: [], notEnforced: [] }, 'nothing set, nothing to report');
});

test('exited: the leaf is removed once the last process we spawned into it has exited and nothing is left in it', () => {
  const { fs, layout } = setup();
  const leaf = layout.leafFor('web', 'main');
  layout.enter(leaf, NO_LIMITS);
  fs.addProcess(leaf, 200);
  layout.enter(leaf, NO_LIMITS); // a probe
  fs.addProcess(leaf, 201);
  fs.exit(201);
  layout.exited(leaf);
  assert.ok(fs.exists(leaf), 'the main process still runs');
  fs.exit(200);
  layout.exited(leaf);
  assert.equal(fs.exists(leaf), false);
  assert.equal(fs.watching(`${leaf}/cgroup.events`), 0);
});

test('exited: a leaf that still holds an escapee stays, watched, and goes when the escapee dies', () => {
  const { fs, layout } = setup();
  const leaf = layout.leafFor('esc', 'main');
  layout.enter(leaf, NO_LIMITS);
  fs.addProcess(leaf, 300);
  fs.addProcess(leaf, 301); // forked, setsid, env cleared: the kernel still knows whose it is
  fs.exit(300);
  layout.exited(leaf);
  assert.ok(fs.exists(leaf));
  assert.deepEqual(layout.members(leaf), [301]);
  assert.equal(fs.watching(`${leaf}/cgroup.events`), 1);
  fs.exit(301);
  assert.equal(fs.exists(leaf), false, 'removed on the populated 0 event');
  assert.equal(fs.watching(`${leaf}/cgroup.events`), 0);
});

test('a respawn while the old leaf waits for its last process: the leaf is kept for the new run', () => {
  const { fs, layout } = setup();
  const leaf = layout.leafFor('web', 'main');
  layout.enter(leaf, NO_LIMITS);
  fs.addProcess(leaf, 400);
  fs.addProcess(leaf, 401);
  fs.exit(400);
  layout.exited(leaf);
  layout.enter(leaf, NO_LIMITS);
  fs.exit(401); // populated 0 before the new process wrote its pid
  assert.ok(fs.exists(leaf), 'not removed under the process about to enter');
  fs.addProcess(leaf, 402);
  fs.exit(402);
  layout.exited(leaf);
  assert.equal(fs.exists(leaf), false);
});

test('members: every pid of the leaf and of cgroups a service made below it; populated follows', () => {
  const { fs, layout } = setup();
  const leaf = layout.leafFor('x', 'main');
  layout.enter(leaf, NO_LIMITS);
  fs.mkdir(`${leaf}/inner`);
  fs.addProcess(leaf, 500);
  fs.addProcess(`${leaf}/inner`, 501);
  assert.deepEqual(layout.members(leaf).sort(), [500, 501]);
  assert.equal(layout.populated(leaf), true);
  fs.exit(500);
  fs.exit(501);
  assert.equal(layout.populated(leaf), false);
  layout.exited(leaf);
  assert.equal(fs.exists(`${leaf}/inner`), false, 'removed deepest first');
  assert.equal(fs.exists(leaf), false);
});

test('kill: one write of 1 to cgroup.kill kills the leaf and below; a kernel without cgroup.kill says false', () => {
  const { fs, layout } = setup();
  const leaf = layout.leafFor('x', 'main');
  layout.enter(leaf, NO_LIMITS);
  fs.addProcess(leaf, 600);
  fs.mkdir(`${leaf}/inner`);
  fs.addProcess(`${leaf}/inner`, 601);
  assert.equal(layout.kill(leaf), true);
  assert.deepEqual(fs.writes.at(-1), { file: `${leaf}/cgroup.kill`, text: '1' });
  assert.deepEqual(fs.killed.sort(), [600, 601]);
  fs.noKillFile = true;
  assert.equal(layout.kill(leaf), false);
});

test('leftovers of a previous daemon: populated leaves found, and empty ones removed once killed', () => {
  const fs = new FakeCgroupFs(ROOT);
  for (const d of [BASE, `${BASE}/manager`, `${BASE}/services`, `${BASE}/post-stop`, `${BASE}/runs`, `${BASE}/services/a.service`, `${BASE}/services/b.service`, `${BASE}/runs/run-1`, `${BASE}/post-stop/a.service`]) fs.mkdir(d);
  fs.addProcess(`${BASE}/services/a.service`, 700);
  fs.addProcess(`${BASE}/runs/run-1`, 701);
  fs.addProcess(ROOT, SELF);
  const layout = new CgroupLayout({ fs, base: BASE, selfPid: SELF });
  layout.setUp();
  assert.deepEqual(layout.populatedLeaves(), [`${BASE}/services/a.service`, `${BASE}/runs/run-1`]);
  for (const leaf of layout.populatedLeaves()) layout.kill(leaf);
  assert.deepEqual(layout.populatedLeaves(), []);
  assert.deepEqual(layout.removeEmptyLeaves().sort(), [`${BASE}/post-stop/a.service`, `${BASE}/runs/run-1`, `${BASE}/services/a.service`, `${BASE}/services/b.service`]);
  assert.deepEqual(fs.children(`${BASE}/services`), []);
});

test('oomKills and usage read memory.events, memory.current and cpu.stat where the kernel has them', () => {
  const { fs, layout } = setup(['memory']);
  const leaf = layout.leafFor('m', 'main');
  layout.enter(leaf, NO_LIMITS);
  assert.equal(layout.oomKills(leaf), 0);
  fs.setFile(`${leaf}/memory.events`, 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 2\n');
  assert.equal(layout.oomKills(leaf), 2);
  fs.setFile(`${leaf}/memory.current`, '12345\n');
  fs.setFile(`${leaf}/cpu.stat`, 'usage_usec 777\nuser_usec 700\nsystem_usec 77\n');
  assert.deepEqual(layout.usage(leaf), { memoryBytes: 12345, cpuUsec: 777 });
  const bare = setup().layout;
  const l2 = bare.leafFor('n', 'main');
  bare.enter(l2, NO_LIMITS);
  assert.equal(bare.oomKills(l2), null, 'no memory controller: no OOM count');
  assert.deepEqual(bare.usage(l2), { memoryBytes: null, cpuUsec: null });
});

test('tearDown: a base the daemon made goes at exit, the daemon back in its own cgroup; a cgroup it owns stays', () => {
  const fs = new FakeCgroupFs(ROOT);
  fs.addProcess(ROOT, SELF);
  const made = new CgroupLayout({ fs, base: BASE, selfPid: SELF, home: ROOT });
  made.setUp();
  made.enter(made.leafFor('a', 'main'), NO_LIMITS);
  assert.equal(fs.dirOf(SELF), `${BASE}/manager`);
  assert.equal(made.tearDown(), true);
  assert.equal(fs.dirOf(SELF), ROOT);
  assert.deepEqual(fs.tree(), [ROOT]);

  const fs2 = new FakeCgroupFs(ROOT);
  fs2.mkdir(BASE);
  fs2.addProcess(BASE, SELF);
  const owned = new CgroupLayout({ fs: fs2, base: BASE, selfPid: SELF });
  owned.setUp();
  assert.equal(owned.tearDown(), false);
  assert.equal(fs2.dirOf(SELF), `${BASE}/manager`);
  assert.ok(fs2.exists(`${BASE}/services`));
});

test('a leaf the kernel refuses to remove is reported through onError and never thrown from an exit or a watch', () => {
  const fs = new FakeCgroupFs(ROOT);
  fs.mkdir(BASE);
  fs.addProcess(BASE, SELF);
  const errors: string[] = [];
  const layout = new CgroupLayout({ fs, base: BASE, selfPid: SELF, onError: (err) => errors.push(`${err.errno ?? '-'} ${err.path ?? '-'}`) });
  layout.setUp();
  const leaf = layout.leafFor('x', 'main');
  layout.enter(leaf, NO_LIMITS);
  fs.addProcess(leaf, 800);
  fs.addProcess(leaf, 801);
  fs.exit(800);
  layout.exited(leaf);
  fs.rmdirFails = 'EACCES';
  assert.doesNotThrow(() => fs.exit(801), 'the populated 0 callback does not throw');
  assert.deepEqual(errors, [`EACCES ${leaf}`]);
  assert.ok(fs.exists(leaf), 'kept');
  assert.equal(layout.tearDown(), false, 'no home: nothing to tear down');
});

test('enter: a limit the kernel refuses fails the spawn, and the leaf made for it goes again', () => {
  const { fs, layout } = setup(['pids']);
  const leaf = layout.leafFor('bad', 'main');
  const realWrite = fs.write.bind(fs);
  fs.write = (file: string, text: string): void => {
    if (file.endsWith('pids.max')) throw new CgroupError('CGROUP_IO', 'EINVAL', 'EINVAL', file);
    realWrite(file, text);
  };
  assert.throws(() => layout.enter(leaf, limits({ pidsMax: 5 })), (err: unknown) => err instanceof CgroupError && err.errno === 'EINVAL');
  assert.equal(fs.exists(leaf), false);
});
