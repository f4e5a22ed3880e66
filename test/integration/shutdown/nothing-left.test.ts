import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fixture } from '../../helpers/paths.js';
import { startInNamespace, type NamespacedDaemon } from '../../helpers/namespace.js';
import { tempDir } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait-for.js';
import { pidsWithMarker, stateOf } from '../../helpers/proc.js';
import { hostIdentities, stillAlive, treePids } from '../../helpers/ns-pids.js';
import type { TreeNode } from '../../../src/supervisor/process-tree.js';

let ns: NamespacedDaemon | null = null;

afterEach(async () => {
  await ns?.cleanup();
  ns = null;
});

function services(journal: string): Record<string, string> {
  const f = fixture;
  const s: Record<string, string> = {
    wide: `exec: ${f('tree-wide.sh')} 20\n`,
    deep: `exec: ${f('tree-deep.sh')} 12\n`,
    escapee: `exec: ${f('escapee.sh')} escapee ${journal}\n`,
    'escapee-stubborn': `exec: ${f('escapee.sh')} escapee-stubborn ${journal} ignore-term\nshutdown_timeout: 1\n`,
    selfstop: `exec: ${f('self-stop.sh')} ${journal}\n`,
    app: `exec: ${f('svc.sh')} app ${journal}\nafter: [wide, deep]\n`,
  };
  for (let i = 1; i <= 4; i++) s[`stubborn${i}`] = `exec: ${f('ignore-term.sh')}\nshutdown_timeout: 1\n`;
  return s;
}

const reportLine = (log: string, service: string): string => log.split('\n').find((l) => l.includes(`  ${service}: `)) ?? '';

test('shutdown leaves nothing behind: wide and deep trees, setsid escapees, TERM-ignoring trees, a stopped process', async () => {
  const dir = tempDir('zinit-ts-ns-');
  const journal = path.join(dir, 'journal');
  ns = await startInNamespace(services(journal), { dir });
  await waitFor(() => fs.existsSync(journal) && fs.readFileSync(journal, 'utf8').includes('start app'), 10_000, 'app started');
  await waitFor(async () => (await ns!.cli(['tree', 'escapee'])).stdout.includes('(escaped)'), 10_000, 'the escapee is found and marked');
  // The self-stopping service has stopped itself (state T) before the shutdown: else its TERM proves nothing.
  await waitFor(async () => {
    const r = await ns!.cli(['status', 'selfstop', '--json']);
    const nsPid = r.code === 0 ? (JSON.parse(r.stdout) as { pid: number }).pid : 0;
    const host = nsPid > 0 ? hostIdentities(ns!.unshare.pid ?? -1, [nsPid])[0]?.hostPid : undefined;
    return host !== undefined && stateOf(host) === 'T';
  }, 10_000, 'selfstop to have stopped itself');

  const r = await ns.cli(['shutdown']);
  assert.equal(r.code, 0, r.stderr);
  const result = await ns.result();
  const log = ns.log();
  assert.deepEqual(result.left, [], `nothing is left alive; log:\n${log}`);
  assert.equal(result.code, 0);
  // The sweep SIGKILLs whatever a service's own stop missed: it must have found nothing.
  assert.match(log, /swept: 0 leftover/, `every service's own stop left nothing behind; log:\n${log}`);
  assert.match(log, /remaining: 0/);

  const j = fs.readFileSync(journal, 'utf8');
  assert.match(j, /escapee-term escapee/, 'the escaped grandchild got the graceful stop signal, not only SIGKILL');
  assert.match(j, /self-stop-term/, 'the stopped process was continued and handled TERM');
  assert.match(reportLine(log, 'selfstop'), /no SIGKILL/);
  assert.match(reportLine(log, 'wide'), /no SIGKILL/);
  for (let i = 1; i <= 4; i++) assert.match(reportLine(log, `stubborn${i}`), /SIGKILL needed/);
  assert.match(reportLine(log, 'escapee-stubborn'), /SIGKILL needed/);

  // Four stubborn services with 1 s each stop in parallel: about one timeout in all, not four.
  const total = Number(/shutdown report \(([\d.]+) (ms|s) for services\)/.exec(log)?.[1] ?? 'NaN');
  const unit = /shutdown report \([\d.]+ (ms|s)/.exec(log)?.[1];
  const totalMs = unit === 's' ? total * 1000 : total;
  assert.ok(totalMs >= 1000 && totalMs < 3500, `shutdown took ${totalMs} ms: four timeouts in a row would be 4 s`);
});

test('each service\'s own stop leaves nothing: its processes are gone from /proc the moment `stop` returns', async () => {
  const dir = tempDir('zinit-ts-ns-');
  const journal = path.join(dir, 'journal');
  const files = services(journal);
  ns = await startInNamespace(files, { dir });
  await waitFor(() => fs.existsSync(journal) && fs.readFileSync(journal, 'utf8').includes('start app'), 10_000, 'app started');
  await waitFor(async () => (await ns!.cli(['tree', 'escapee-stubborn'])).stdout.includes('(escaped)'), 10_000, 'the stubborn escapee is found');
  const d = ns;
  const trees = await waitFor(async () => {
    const r = await d.cli(['tree', '--json']);
    const t = JSON.parse(r.stdout) as Record<string, TreeNode[]>;
    return treePids(t.wide ?? []).length >= 21 && treePids(t.deep ?? []).length >= 12 ? t : null;
  }, 10_000, 'the wide and deep trees');
  await Promise.all(
    Object.keys(files).map(async (name) => {
      const ids = hostIdentities(d.unshare.pid ?? -1, treePids(trees[name] ?? []));
      assert.ok(ids.length > 0, `${name} has processes`);
      const r = await d.cli(['stop', name]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(stillAlive(ids), [], `${name}: nothing left when stop returns (${r.stdout.trim()})`);
    }),
  );
  const r = await d.cli(['shutdown']);
  assert.equal(r.code, 0, r.stderr);
  const result = await d.result();
  assert.deepEqual(result.left, []);
  assert.match(d.log(), /swept: 0 leftover/);
});

test('negative control: with tag discovery off, a service\'s stop misses its escapee, and only the final sweep kills it', async () => {
  const dir = tempDir('zinit-ts-ns-');
  const journal = path.join(dir, 'journal');
  ns = await startInNamespace({ escapee: `exec: ${fixture('escapee.sh')} escapee ${journal}\n` }, { dir, env: { ZINIT_TS_DISCOVERY: 'group' }, args: ['--cgroup', 'off'] });
  // The escapee exists before the shutdown starts (seen from the host's /proc by its command line).
  await waitFor(() => pidsWithMarker(`escapee-term escapee >> ${journal}`).length > 0, 10_000, 'the escapee to exist');
  const r = await ns.cli(['shutdown']);
  assert.equal(r.code, 0, r.stderr);
  const result = await ns.result();
  const log = ns.log();
  // Only the tag is off: the sweep still runs, so nothing is left, but what the positive test asserts fails.
  assert.deepEqual(result.left, [], `the sweep still leaves nothing; log:\n${log}`);
  assert.doesNotMatch(fs.existsSync(journal) ? fs.readFileSync(journal, 'utf8') : '', /escapee-term escapee/, 'the escapee never got the graceful stop signal');
  assert.match(reportLine(log, 'escapee'), /descendants 0/, 'the service\'s stop found no descendant');
  const swept = Number(/swept: (\d+) leftover/.exec(log)?.[1] ?? 'NaN');
  assert.ok(swept >= 1, `the sweep SIGKILLed what the stop missed (swept: ${swept}); log:\n${log}`);
});
