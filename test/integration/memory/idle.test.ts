// An idle daemon keeps nothing of its config loads (no loader process, no extra thread) and wakes up about once a second however many services it runs.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { startDaemon, waitState, type DaemonHandle } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait-for.js';

const SERVICES = 20;
const WINDOW_MS = 5000;
const SETTLE_MS = 7000;

const daemons: DaemonHandle[] = [];
after(async () => {
  for (const d of daemons) await d.cleanup();
});

function statusField(pid: number, name: string): number {
  const m = new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? NaN);
}
const threads = (pid: number): number => statusField(pid, 'Threads');

function loadersOf(daemonPid: number): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === daemonPid && fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('config-load-child.js')) out.push(Number(name));
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

test('the measure sees a worker thread while it lives (control)', async () => {
  const script = "const { Worker } = require('node:worker_threads'); const t = () => require('node:fs').readFileSync('/proc/self/status', 'utf8').match(/^Threads:\\s+(\\d+)/m)[1]; const before = t(); const w = new Worker('setTimeout(() => {}, 2000)', { eval: true }); w.on('online', () => { console.log(before, t()); w.terminate(); });";
  const out = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, ['-e', script], { timeout: 10_000 }, (err, stdout) => (err ? reject(new Error(`the control script failed: ${err.message}`)) : resolve(stdout))),
  );
  const [before, during] = out.trim().split(' ').map(Number);
  assert.ok((during ?? 0) > (before ?? 0), `threads ${before} → ${during} with a live worker`);
});

test(`idle with ${SERVICES} services: the config loader is gone after each load, and the main thread sleeps between safety-net ticks`, async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < SERVICES; i += 1) files[`idle${i}`] = 'exec: sleep 1000\n';
  const d = await startDaemon(files);
  daemons.push(d);
  for (let i = 0; i < SERVICES; i += 1) await waitState(d, `idle${i}`, 'Running');
  // The boot's load has left once the count stops falling; every later load must come back to it.
  let settled = threads(d.pid);
  await waitFor(async () => {
    await new Promise((r) => setTimeout(r, 300));
    const now = threads(d.pid);
    const same = now === settled;
    settled = now;
    return same;
  }, 10_000, 'a steady thread count after boot');
  fs.writeFileSync(`${d.configDir}/late.yaml`, 'exec: sleep 1000\n');
  assert.equal((await d.cli(['monitor', 'late'])).code, 0);
  for (let i = 0; i < 3; i += 1) assert.equal((await d.cli(['reload'])).code, 0);
  await waitFor(() => threads(d.pid) === settled, 10_000, `the thread count back to ${settled} after monitor and reloads (now ${threads(d.pid)})`);
  assert.deepEqual(loadersOf(d.pid), [], 'no config loader process is left under the daemon');

  // A timer per service would be 20 wake-ups a second; the reaper's one safety net is one. The window
  // opens once the idle trim (5 s after the last load) has run and the loads' own work is over.
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const w0 = statusField(d.pid, 'voluntary_ctxt_switches');
  await new Promise((r) => setTimeout(r, WINDOW_MS));
  const wakeups = statusField(d.pid, 'voluntary_ctxt_switches') - w0;
  assert.ok(wakeups <= (WINDOW_MS / 1000) * 3, `${wakeups} main-thread wake-ups in ${WINDOW_MS} ms`);
});
