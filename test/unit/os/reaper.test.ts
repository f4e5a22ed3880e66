// The reaper: its algorithm against a scripted zombie queue, then real orphans beside real managed children.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { installChildRegistry } from '../../../src/os/child-registry.js';
import { loadLibc, type Libc } from '../../../src/os/libc.js';
import { readOwnChildren, readStat } from '../../../src/os/proc.js';
import { Reaper } from '../../../src/os/reaper.js';
import { waitFor } from '../../helpers/wait-for.js';
import { exitOf } from './bounded.js';

/** A kernel child list in miniature: zombies in the order waitid would return them, plus live children. */
function fakeKernel(zombies: number[], live: number[] = []) {
  const queue = [...zombies];
  const waited: number[] = [];
  const libc: Pick<Libc, 'waitidPeek' | 'waitpidNoHang'> = {
    waitidPeek: () => (queue[0] === undefined ? null : { pid: queue[0] }),
    waitpidNoHang: (pid) => {
      waited.push(pid);
      const at = queue.indexOf(pid);
      if (at < 0) return null;
      queue.splice(at, 1);
      return { pid, status: pid << 8 };
    },
  };
  const libuvReaps = (pid: number): void => {
    queue.splice(queue.indexOf(pid), 1);
  };
  return { libc, queue, waited, libuvReaps, children: () => [...queue, ...live] };
}

void describe('Reaper against a scripted kernel', () => {
  void test('reaps unmanaged zombies in peek order without scanning', () => {
    const k = fakeKernel([11, 12, 13]);
    const reaped: [number, number][] = [];
    const reaper = new Reaper({ libc: k.libc, isManaged: () => false, listOwnChildren: k.children, onReap: (p, s) => reaped.push([p, s]) });
    assert.equal(reaper.reapNow(), 3);
    assert.deepEqual(reaped, [[11, 11 << 8], [12, 12 << 8], [13, 13 << 8]]);
    assert.deepEqual(reaper.stats, { reaped: 3, passes: 1, fallbackScans: 0 });
  });

  void test('a managed zombie at the head is left to libuv; the zombies behind it are found by the scan', () => {
    const k = fakeKernel([10, 11, 12], [20, 21]);
    const managed = new Set([10, 21]);
    const reaper = new Reaper({ libc: k.libc, isManaged: (p) => managed.has(p), listOwnChildren: k.children });
    assert.equal(reaper.reapNow(), 2);
    assert.deepEqual(k.queue, [10]);
    assert.equal(k.waited.includes(10), false, 'never waited on a managed pid');
    assert.equal(k.waited.includes(21), false, 'never waited on a managed pid');
    assert.deepEqual(reaper.stats, { reaped: 2, passes: 1, fallbackScans: 1 });
  });

  void test('once started: SIGCHLDs coalesce, a blocked pass is retried, stop() removes everything', async () => {
    const listenersBefore = process.listenerCount('SIGCHLD');
    const k = fakeKernel([10, 11]);
    const managed = new Set([10]);
    const reaper = new Reaper({ libc: k.libc, isManaged: (p) => managed.has(p), listOwnChildren: k.children, retryMs: 5 });
    reaper.start();
    reaper.start();
    assert.equal(process.listenerCount('SIGCHLD'), listenersBefore + 1);
    for (let i = 0; i < 5; i++) process.emit('SIGCHLD', 'SIGCHLD');
    // The reaper's immediate was queued first, so it has run by the time this one does.
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(k.queue, [10]);
    assert.equal(reaper.stats.passes, 1, 'five signals and start() made one pass');

    k.libuvReaps(10);
    k.queue.push(12);
    await waitFor(() => k.queue.length === 0, 2000, 'the retry to reap what arrived behind the managed head');
    assert.equal(reaper.stats.reaped, 2);

    reaper.stop();
    assert.equal(process.listenerCount('SIGCHLD'), listenersBefore);
  });

  void test('a flood is taken in bounded passes', async () => {
    const pids = Array.from({ length: 5000 }, (_, i) => 100000 + i);
    const k = fakeKernel(pids);
    const reaper = new Reaper({ libc: k.libc, isManaged: () => false, listOwnChildren: k.children });
    reaper.start();
    await waitFor(() => k.queue.length === 0, 5000, 'the flood to be reaped');
    assert.equal(reaper.stats.reaped, 5000);
    assert.ok(reaper.stats.passes >= 2, `took ${reaper.stats.passes} passes`);
    reaper.stop();
  });

  void test('a flood is drained without waiting for any timer to wake the loop', () => {
    // In a bare process: the test runner's own activity wakes the event loop and would hide a follow-up pass that
    // is queued but never run (an unref'd immediate does not stop libuv from blocking in poll).
    const reaperUrl = new URL('../../../src/os/reaper.js', import.meta.url).href;
    const script = `
      const { Reaper } = await import(${JSON.stringify(reaperUrl)});
      const queue = Array.from({ length: 10000 }, (_, i) => 200000 + i);
      const libc = {
        waitidPeek: () => (queue.length ? { pid: queue[0] } : null),
        waitpidNoHang: (pid) => (queue.shift(), { pid, status: 0 }),
      };
      const t0 = performance.now();
      const bound = setTimeout(() => { console.log('stalled', queue.length); process.exit(1); }, 3000);
      const reaper = new Reaper({ libc, isManaged: () => false, listOwnChildren: () => [], safetyNetMs: 60000,
        onReap: () => { if (queue.length === 0) { console.log('drained', reaper.stats.passes); clearTimeout(bound); reaper.stop(); } } });
      reaper.start();`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10000 });
    assert.match(run.stdout, /^drained [3-9]/, `${run.stdout}${run.stderr}`);
  });

  void test('a failing scheduled pass goes to onError and passes keep coming', async () => {
    const k = fakeKernel([10]);
    const errors: unknown[] = [];
    const reaper = new Reaper({
      libc: k.libc,
      isManaged: (p) => p === 10,
      listOwnChildren: () => {
        throw new Error('/proc is not mounted');
      },
      onError: (err) => errors.push(err),
      retryMs: 5,
    });
    reaper.start();
    try {
      await waitFor(() => errors.length >= 2, 2000, 'two failed passes reported');
      assert.match(String(errors[0]), /\/proc is not mounted/);
      assert.deepEqual(k.waited, [], 'the managed head was never waited on');
    } finally {
      reaper.stop();
    }
  });

  void test('the safety net backs off while passes find nothing, and starts over on a signal', async () => {
    const k = fakeKernel([]);
    const at: number[] = [];
    let afterReap: number | null = null;
    const reaper = new Reaper({
      libc: k.libc,
      isManaged: () => false,
      listOwnChildren: k.children,
      safetyNetMs: 10,
      safetyNetMaxMs: 80,
      onPass: () => at.push(performance.now()),
      // Read once the pass that reaped has re-armed the net (the next turn of the loop), before any timer can fire.
      onReap: () => setImmediate(() => (afterReap = reaper.safetyNetDelayMs)),
    });
    reaper.start();
    try {
      await waitFor(() => at.length >= 7, 5000, 'seven passes');
      assert.equal(reaper.safetyNetDelayMs, 80);
      // Timers never fire early: each gap is at least the delay armed after the pass before it (1 ms of rounding allowed).
      const gaps = at.slice(1).map((t, i) => t - (at[i] ?? 0));
      [10, 20, 40, 80, 80, 80].forEach((delay, i) => assert.ok((gaps[i] ?? 0) >= delay - 1, `gap ${i} was ${gaps[i]?.toFixed(1)} ms, the delay ${delay} ms`));

      const passes = reaper.stats.passes;
      process.emit('SIGCHLD', 'SIGCHLD');
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(reaper.stats.passes, passes + 1, 'the signal made a pass');
      assert.equal(reaper.safetyNetDelayMs, 10, 'and the net starts over from its shortest delay');

      await waitFor(() => reaper.safetyNetDelayMs === 80, 5000, 'the net to back off again');
      k.queue.push(31);
      await waitFor(() => afterReap !== null, 5000, 'the safety net to reap a zombie no signal announced');
      assert.equal(afterReap, 10, 'a pass that reaped brings the net back to its shortest delay');
    } finally {
      reaper.stop();
    }
    assert.equal(reaper.safetyNetDelayMs, null);
  });

  void test('rejects nonsense timings', () => {
    const k = fakeKernel([]);
    assert.throws(() => new Reaper({ libc: k.libc, isManaged: () => false, listOwnChildren: k.children, retryMs: 0 }), RangeError);
    assert.throws(() => new Reaper({ libc: k.libc, isManaged: () => false, listOwnChildren: k.children, safetyNetMs: 100, safetyNetMaxMs: 50 }), RangeError);
  });
});

void describe('Reaper on real processes', () => {
  void test('reaps a double-forked orphan and never touches a managed child', async () => {
    const loaded = loadLibc();
    if ('error' in loaded) assert.fail(loaded.error);
    const real = loaded.libc;
    const registry = installChildRegistry();
    real.setChildSubreaper();

    const stolen: number[] = [];
    const libc: Pick<Libc, 'waitidPeek' | 'waitpidNoHang'> = {
      waitidPeek: () => real.waitidPeek(),
      waitpidNoHang: (pid) => {
        if (registry.has(pid)) stolen.push(pid);
        return real.waitpidNoHang(pid);
      },
    };
    const reaped = new Map<number, number>();
    const reaper = new Reaper({
      libc,
      isManaged: (pid) => registry.has(pid),
      listOwnChildren: () => readOwnChildren(),
      onReap: (pid, status) => reaped.set(pid, status),
    });
    reaper.start();
    try {
      // Managed children that exit together with the orphan, so some of them sit at the head of the zombie list.
      const managed = Array.from({ length: 20 }, (_, i) => {
        const child = spawn('/bin/sh', ['-c', `/bin/sleep 0.2; exit ${i * 11}`], { stdio: 'ignore' });
        return { code: i * 11, child };
      });
      const doubleFork = spawn('/bin/sh', ['-c', '(/bin/sleep 0.2 &) ; exit 0'], { stdio: 'ignore' });
      await exitOf(doubleFork);
      const orphan = await waitFor(() => readOwnChildren().find((pid) => !registry.has(pid)), 5000, 'the orphan to be reparented to us');
      assert.equal(readStat(orphan)?.ppid, process.pid);

      for (const { code, child } of managed) assert.deepEqual(await exitOf(child), [code, null]);
      await waitFor(() => reaped.has(orphan), 5000, 'the orphan to be reaped');
      assert.equal(reaped.get(orphan), 0);
      assert.equal(readStat(orphan), null, 'the orphan is gone from /proc');
      assert.deepEqual(stolen, [], 'waitpid was never called on a registered pid');
      assert.ok(reaper.stats.reaped >= 1);
    } finally {
      reaper.stop();
    }
  });
});
