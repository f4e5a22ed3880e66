// An idle daemon keeps nothing of its config loads (no loader process, no extra thread) and wakes up about once a second however many services it runs.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { startDaemon, waitState, type DaemonHandle } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait-for.js';

const SERVICES = 20;
/** One-second samples of the main thread's wake-ups. */
const WINDOW_SECONDS = 8;
/** A second with more wake-ups than this is a busy one; the reaper's safety net alone is one a second. */
const BUSY_SECOND = 3;
/** Seconds of the window that may be busy: a one-off garbage collection after the loads is a burst, not a timer. */
const BUSY_SECONDS_ALLOWED = 2;
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

/** The main thread's voluntary context switches in each of `seconds` consecutive seconds. */
async function wakeupProfile(pid: number, seconds: number): Promise<number[]> {
  const out: number[] = [];
  let before = statusField(pid, 'voluntary_ctxt_switches');
  for (let i = 0; i < seconds; i += 1) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = statusField(pid, 'voluntary_ctxt_switches');
    out.push(now - before);
    before = now;
  }
  return out;
}

test('the wake-up measure sees a timer that fires ten times a second (control)', async () => {
  const child = execFile(process.execPath, ['-e', 'setInterval(() => {}, 100)']);
  try {
    const pid = child.pid ?? -1;
    await waitFor(() => fs.existsSync(`/proc/${pid}/status`), 5000, 'the control process');
    await new Promise((r) => setTimeout(r, 1000));
    const profile = await wakeupProfile(pid, 4);
    assert.ok(profile.every((n) => n > BUSY_SECOND), `wake-ups per second of a 100 ms timer: ${profile.join(' ')}`);
  } finally {
    child.kill('SIGKILL');
  }
});

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
  // No more than after boot: a short-lived thread counted in the boot's samples may have gone since.
  await waitFor(() => threads(d.pid) <= settled, 10_000, `the thread count back to ${settled} after monitor and reloads (now ${threads(d.pid)})`);
  assert.deepEqual(loadersOf(d.pid), [], 'no config loader process is left under the daemon');

  // A timer per service would be 20 wake-ups every second; the reaper's one safety net is one. The
  // window opens once the idle trim (5 s after the last load) has run and the loads' own work is
  // over; V8 may still collect garbage once in it (a burst of about ten in one second), which is
  // no timer, so a second or two may be busy, never most of them.
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const profile = await wakeupProfile(d.pid, WINDOW_SECONDS);
  const busy = profile.filter((n) => n > BUSY_SECOND).length;
  assert.ok(busy <= BUSY_SECONDS_ALLOWED, `main-thread wake-ups in each second of the window: ${profile.join(' ')}`);
});
