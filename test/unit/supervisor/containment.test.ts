// What the manager does with containment: a service refused under --require-cgroup, its cgroup and limits in status, the log line for a limit not enforced, OOM kills.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceManager } from '../../../src/supervisor/manager.js';
import { CgroupLayout } from '../../../src/supervisor/cgroup-layout.js';
import { cgroupContainment, describeContainment, procContainment, type ContainmentPort } from '../../../src/supervisor/containment.js';
import { NO_LIMITS, type ServiceConfig } from '../../../src/config/types.js';
import type { Logger } from '../../../src/log/logger-types.js';
import { FakeClock, flush } from '../../helpers/fake-clock.js';
import { FakeOs } from '../../helpers/fake-os.js';
import { FakeCgroupFs } from '../../helpers/fake-cgroup-fs.js';
import { svc } from '../../helpers/service-config.js';

function recordingLogger(): { logger: Logger; lines: { level: string; msg: string; fields: Record<string, unknown> }[] } {
  const lines: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
  const at = (level: string) => (msg: string, fields: Record<string, unknown> = {}) => void lines.push({ level, msg, fields });
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

function layoutWith(offered: readonly string[]): CgroupLayout {
  const fs = new FakeCgroupFs('/cg', offered);
  fs.mkdir('/cg/base');
  const layout = new CgroupLayout({ fs, base: '/cg/base', selfPid: 1 });
  layout.setUp();
  return layout;
}

function manager(containment: ContainmentPort, configs: ServiceConfig[]) {
  const clock = new FakeClock();
  const os = new FakeOs();
  const { logger, lines } = recordingLogger();
  const m = new ServiceManager({ proc: os, table: os, clock, logger, env: () => ({}), output: () => null, childEvents: os, containment });
  m.load(new Map(configs.map((c) => [c.name, c])), []);
  return { m, os, clock, lines };
}

const limited = svc('db', { limits: { ...NO_LIMITS, memoryMax: 64 << 20, pidsMax: 20 } });

test('--require-cgroup: a service whose limits cannot be enforced stays Blocked, saying why; one without limits runs', async () => {
  const { m, os } = manager(cgroupContainment(layoutWith([]), true), [limited, svc('web')]);
  m.startAll();
  await flush();
  assert.equal(m.status('web').state, 'Running');
  const db = m.status('db');
  assert.equal(db.state, 'Blocked');
  assert.match(db.reason ?? '', /^memory_max, pids_max cannot be enforced here \(the memory controller is not available in \/cg\/base .*\); init --require-cgroup refuses to run it/);
  assert.equal(os.mains('db').length, 0, 'nothing was spawned for it');
});

test('without --require-cgroup the same service runs; status and the log say plainly which limits are not enforced and why', async () => {
  const { m, lines } = manager(cgroupContainment(layoutWith([]), false), [limited]);
  m.startAll();
  await flush();
  const s = m.status('db');
  assert.equal(s.state, 'Running');
  assert.equal(s.containment?.cgroup, '/cg/base/services/db.service');
  assert.deepEqual(s.containment?.limits.enforced, []);
  assert.deepEqual(s.containment?.limits.notEnforced.map((n) => n.key), ['memory_max', 'pids_max']);
  const warn = lines.find((l) => l.msg.startsWith('limit not enforced'));
  assert.ok(warn, JSON.stringify(lines));
  assert.match(warn.msg, /memory controller is not available/);
  assert.deepEqual(warn.fields, { service: 'db', limits: 'memory_max,pids_max' });
});

test('where the controllers are delegated the limits are enforced: nothing refused, nothing warned', async () => {
  const { m, lines } = manager(cgroupContainment(layoutWith(['memory', 'pids', 'cpu']), true), [limited]);
  m.startAll();
  await flush();
  assert.equal(m.status('db').state, 'Running');
  assert.deepEqual(m.status('db').containment?.limits, { enforced: ['memory_max', 'pids_max'], notEnforced: [] });
  assert.equal(lines.filter((l) => l.msg.startsWith('limit not enforced')).length, 0);
});

test('/proc mode: every limit set is reported not enforced, with why; the mode is described for the log', async () => {
  const port = procContainment('the cgroup filesystem is mounted read-only');
  const { m } = manager(port, [limited]);
  m.startAll();
  await flush();
  const s = m.status('db');
  assert.equal(s.containment?.cgroup, null);
  assert.match(s.containment?.limits.notEnforced[0]?.why ?? '', /not in cgroup mode: the cgroup filesystem is mounted read-only/);
  assert.equal(describeContainment(port.mode), '/proc discovery: the cgroup filesystem is mounted read-only');
  assert.equal(m.containment?.mode, 'proc');
});

test('an exit the kernel OOM killer caused is counted, logged as such, and shown in the last exit', async () => {
  const { m, os, lines } = manager(cgroupContainment(layoutWith(['memory']), false), [svc('hog', { restart: 'never', limits: { ...NO_LIMITS, memoryMax: 32 << 20 } })]);
  m.startAll();
  await flush();
  os.live('hog')?.exit({ code: null, signal: 'SIGKILL', oomKill: true });
  await flush();
  const s = m.status('hog');
  assert.equal(s.oomKills, 1);
  assert.deepEqual(s.exit, { pid: s.exit?.pid, code: null, signal: 'SIGKILL', oomKill: true });
  const line = lines.find((l) => l.level === 'error' && /OOM killer/.test(l.msg));
  assert.ok(line, JSON.stringify(lines));
  assert.equal(line.fields.memoryMax, 32 << 20);
});

test('a SIGKILL during a stop is the stop\'s, even when the OOM killer counted a kill in the leaf earlier: no OOM reported', async () => {
  const { m, os, clock } = manager(cgroupContainment(layoutWith(['memory']), false), [svc('hog', { shutdownTimeoutMs: 1000, limits: { ...NO_LIMITS, memoryMax: 32 << 20 } })]);
  m.startAll();
  await flush();
  os.diesOn = new Set();
  const stopping = m.stop('hog');
  await clock.advance(1000);
  os.live('hog')?.exit({ code: null, signal: 'SIGKILL', oomKill: true });
  await clock.advance(10);
  await stopping;
  const s = m.status('hog');
  assert.equal(s.oomKills, 0);
  assert.deepEqual(s.exit, { pid: s.exit?.pid, code: null, signal: 'SIGKILL' });
});
