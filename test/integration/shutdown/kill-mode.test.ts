// Who gets the stop signal, per kill_mode, in a fresh PID namespace: workers under a live parent hear it the moment the main process exits.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { TreeNode } from '../../../src/supervisor/process-tree.js';
import { fixture } from '../../helpers/paths.js';
import { startInNamespace, type NamespacedDaemon } from '../../helpers/namespace.js';
import { tempDir } from '../../helpers/daemon.js';
import { hostIdentities, stillAlive, treePids, type HostIdentity } from '../../helpers/ns-pids.js';
import { waitFor } from '../../helpers/wait-for.js';

let ns: NamespacedDaemon | null = null;
afterEach(async () => {
  await ns?.cleanup();
  ns = null;
});

const journalOf = (file: string): string => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
const reportLine = (log: string, service: string): string => log.split('\n').find((l) => l.includes(`  ${service}: `)) ?? '';

/** Which of a service's processes recorded the stop signal: main, member, worker. */
function heard(journal: string, service: string): string[] {
  const re = new RegExp(`^(\\w+)-term ${service}$`, 'gm');
  return [...journal.matchAll(re)].map((m) => m[1] ?? '').sort();
}

/** The service's processes as the host sees them, once its tree holds at least `min` of them. */
async function identities(d: NamespacedDaemon, service: string, min: number): Promise<HostIdentity[]> {
  return waitFor(
    async () => {
      const r = await d.cli(['tree', service, '--json']);
      if (r.code !== 0) return null;
      const pids = treePids((JSON.parse(r.stdout) as Record<string, TreeNode[]>)[service] ?? []);
      const ids = hostIdentities(d.unshare.pid ?? -1, pids);
      return ids.length >= min ? ids : null;
    },
    10_000,
    `${service} to show ${min} processes`,
  );
}

async function stopAndCheck(d: NamespacedDaemon, service: string, ids: readonly HostIdentity[]): Promise<{ ms: number; out: string }> {
  const r = await d.cli(['stop', '-v', service]);
  assert.equal(r.code, 0, r.stderr);
  // Checked the moment stop returns: nothing of the service may be left for the final sweep.
  assert.deepEqual(stillAlive(ids), [], `every process of ${service} is gone when stop returns (${r.stdout.trim()})`);
  const ms = Number(/stopped in (\d+) ms/.exec(r.stdout)?.[1] ?? 'NaN');
  return { ms, out: r.stdout };
}

async function shutdownClean(d: NamespacedDaemon): Promise<string> {
  const r = await d.cli(['shutdown']);
  assert.equal(r.code, 0, r.stderr);
  const result = await d.result();
  const log = d.log();
  assert.deepEqual(result.left, [], `nothing is left alive; log:\n${log}`);
  assert.match(log, /swept: 0 leftover/, 'the services\' own stops left nothing for the sweep');
  assert.match(log, /remaining: 0/);
  return log;
}

test('mixed: a setsid worker under a live parent and a set -m worker get TERM the moment the main process exits, each stop well before its deadline', async () => {
  const dir = tempDir('zinit-ts-ns-');
  const journal = path.join(dir, 'journal');
  ns = await startInNamespace(
    { live: `exec: ${fixture('live-parent.sh')} live ${journal}\n`, grp: `exec: ${fixture('own-group.sh')} grp ${journal}\n` },
    { dir },
  );
  await waitFor(() => /worker-start live/.test(journalOf(journal)) && /worker-start grp/.test(journalOf(journal)), 10_000, 'both workers');
  for (const service of ['live', 'grp']) {
    // The main shell, its sleep, the worker shell and its sleep.
    const ids = await identities(ns, service, 3);
    const { ms, out } = await stopAndCheck(ns, service, ids);
    assert.ok(ms < 3000, `${service} stopped in ${ms} ms (shutdown_timeout is 10 s)`);
    assert.doesNotMatch(out, /SIGKILL/);
    assert.deepEqual(heard(journalOf(journal), service), ['main', 'worker'], `the worker's TERM handler ran; journal:\n${journalOf(journal)}`);
  }
  await shutdownClean(ns);
});

test('negative control: without the stop signal at the main process\'s exit (ZINIT_TS_STOP_RULE=start-only) the worker is SIGKILLed at the deadline', async () => {
  const dir = tempDir('zinit-ts-ns-');
  const journal = path.join(dir, 'journal');
  ns = await startInNamespace({ live: `exec: ${fixture('live-parent.sh')} live ${journal}\nshutdown_timeout: 1\n` }, { dir, env: { ZINIT_TS_STOP_RULE: 'start-only' } });
  await waitFor(() => /worker-start live/.test(journalOf(journal)), 10_000, 'the worker');
  const ids = await identities(ns, 'live', 3);
  const { ms, out } = await stopAndCheck(ns, 'live', ids);
  assert.match(out, /SIGKILL needed/);
  assert.ok(ms >= 1000, `stopped at the deadline, after ${ms} ms`);
  assert.deepEqual(heard(journalOf(journal), 'live'), ['main'], 'the worker never heard the stop signal');
});

test('each kill_mode delivers the stop signal to exactly whom it says', async () => {
  const dir = tempDir('zinit-ts-ns-');
  const journal = path.join(dir, 'journal');
  const modes = ['mixed', 'control-group', 'process'] as const;
  const files: Record<string, string> = {};
  for (const mode of modes)
    for (const main of ['exit', 'stay'])
      files[`${mode}-${main}`] = `exec: ${fixture('kill-mode.sh')} ${mode}-${main} ${journal} ${main}\nkill_mode: ${mode}\nshutdown_timeout: 1\n`;
  ns = await startInNamespace(files, { dir });
  await waitFor(() => (journalOf(journal).match(/-start /g) ?? []).length === 18, 10_000, 'every main process, member and worker');
  const log = await shutdownClean(ns);
  const j = journalOf(journal);
  // main: the main process; member: its child in its process group; worker: its child in a session of its own.
  const expected: Record<string, { heard: string[]; sigkill: boolean }> = {
    'mixed-exit': { heard: ['main', 'member', 'worker'], sigkill: false },
    'mixed-stay': { heard: ['main', 'member'], sigkill: true },
    'control-group-exit': { heard: ['main', 'member', 'worker'], sigkill: false },
    'control-group-stay': { heard: ['main', 'member', 'worker'], sigkill: true },
    'process-exit': { heard: ['main'], sigkill: true },
    'process-stay': { heard: ['main'], sigkill: true },
  };
  for (const [service, want] of Object.entries(expected)) {
    assert.deepEqual(heard(j, service), want.heard, `${service}: who ran a TERM handler; journal:\n${j}`);
    assert.match(reportLine(log, service), want.sigkill ? /SIGKILL needed/ : /no SIGKILL/, `${service}; log:\n${log}`);
  }
  const mixedMs = Number(/mixed-exit: SIGTERM, stopped in (\d+) ms/.exec(log)?.[1] ?? 'NaN');
  assert.ok(mixedMs < 1000, `mixed with a main process that exits: ${mixedMs} ms, before its 1 s deadline`);
});
