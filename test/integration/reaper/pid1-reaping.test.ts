// Reaping as PID 1 under a storm of orphans, with negative controls that prove the checks can fail.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../../helpers/paths.js';
import type { HarnessResult, ReaperMode } from './pid1-harness.js';

const harness = path.join(repoRoot, 'dist', 'test', 'integration', 'reaper', 'pid1-harness.js');
const canUnshare = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status === 0;
const skip = canUnshare ? false : 'unshare --pid --fork --mount-proc is not permitted here';

async function runHarness(mode: ReaperMode, opts: { pid1: boolean; env?: Record<string, string> }): Promise<HarnessResult> {
  const argv = opts.pid1 ? ['unshare', '--pid', '--fork', '--mount-proc', process.execPath, harness] : [process.execPath, harness];
  const [command = '', ...args] = argv;
  const { stdout } = await promisify(execFile)(command, args, {
    env: { ...process.env, REAPER: mode, ...opts.env },
    timeout: 60000,
    killSignal: 'SIGKILL',
  });
  return JSON.parse(stdout) as HarnessResult;
}

void describe('reaper as PID 1 of a PID namespace', { skip }, () => {
  void test('200 managed exits amid 1000 orphans: every exit status exact, no zombie left', async () => {
    const r = await runHarness('on', { pid1: true });
    assert.equal(r.pid1, true);
    assert.equal(r.orphansReparented, 1000, 'the orphans were reparented to PID 1 before they exited');
    assert.equal(r.missing, 0, 'every managed child reported its exit');
    assert.deepEqual(r.wrongExamples, []);
    assert.equal(r.wrong, 0);
    assert.equal(r.zombiesInProc, 0, 'the namespace drained to zero zombies');
    assert.ok(r.releaseToDrainMs !== null);
    assert.equal(r.managedTouched, 0, 'waitpid was never called on a pid child_process owned');
    assert.ok((r.reaper?.reaped ?? 0) >= 1000, `reaped ${r.reaper?.reaped}`);
  });

  void test('the same with every managed zombie at the head of the list before libuv can reap any', async () => {
    const r = await runHarness('on', { pid1: true, env: { HOLD: '1' } });
    assert.equal(r.held, true);
    assert.ok((r.reaper?.fallbackScans ?? 0) >= 1, 'the pass found a managed zombie at the head and fell back to the scan');
    assert.equal(r.managedTouched, 0);
    assert.equal(r.missing, 0);
    assert.deepEqual(r.wrongExamples, []);
    assert.equal(r.zombiesInProc, 0);
  });

  void test('negative control, no reaper: the zombie check fails', async () => {
    const r = await runHarness('off', { pid1: true, env: { ZOMBIE_WAIT_MS: '1500' } });
    assert.equal(r.pid1, true);
    assert.equal(r.releaseToDrainMs, null, 'the namespace never drained');
    assert.ok(r.zombiesInProc >= 1000, `only ${r.zombiesInProc} zombies left without a reaper`);
    // libuv alone still reports its own children exactly: the zombies are the orphans.
    assert.equal(r.missing, 0);
    assert.equal(r.wrong, 0);
  });

  void test('negative control, naive waitpid(-1) reaper: exit statuses go missing or wrong', async () => {
    const r = await runHarness('naive', { pid1: true, env: { EXIT_WAIT_MS: '3000', HOLD: '1' } });
    assert.equal(r.pid1, true);
    assert.ok(r.missing + r.wrong > 0, `naive reaping lost nothing: ${JSON.stringify(r)}`);
    assert.equal(r.zombiesInProc, 0, 'it does reap, which is all it gets right');
  });
});

void describe('reaper as a child subreaper (not PID 1)', () => {
  void test('orphans of a child are reparented to us and reaped; managed exits stay exact', async () => {
    const r = await runHarness('on', { pid1: false, env: { MANAGED: '50', ORPHANS: '300' } });
    assert.equal(r.pid1, false);
    assert.equal(r.orphansReparented, 300);
    assert.equal(r.missing, 0);
    assert.deepEqual(r.wrongExamples, []);
    assert.equal(r.zombieChildren, 0);
    assert.equal(r.managedTouched, 0);
    assert.ok((r.reaper?.reaped ?? 0) >= 300);
  });
});
