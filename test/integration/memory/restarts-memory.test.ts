// The daemon's live heap over a thousand restarts, read from V8 heap snapshots of the real daemon, with a control that the measure sees what is kept.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { RpcClient } from '../../../src/ipc/client.js';
import { tempDir } from '../../helpers/daemon.js';
import { heapProbeEnv, readHeapCensus, takeHeapSnapshot, type HeapCensus } from '../../helpers/heap-snapshot.js';
import { startInNamespace, type NamespacedDaemon } from '../../helpers/namespace.js';
import { cliEntry } from '../../helpers/paths.js';
import { waitFor } from '../../helpers/wait-for.js';

const WARMUP = 300;
/** Bytes a run may leave on the heap before it counts as kept: 1 MiB per 1000 restarts. */
const BYTES_PER_RUN = 1024;
/** Objects of one kind a run may leave: anything kept per run adds at least one each time. */
const OBJECTS_PER_RUN = 0.5;
// Compiled code, feedback and maps grow as V8 tiers functions up, whatever the program keeps.
const V8_OWN = new Set(['code', 'hidden', 'object shape']);

let daemon: NamespacedDaemon | null = null;
let client: RpcClient | null = null;
afterEach(async () => {
  await client?.close();
  client = null;
  await daemon?.cleanup();
  daemon = null;
});

interface Growth {
  readonly runs: number;
  readonly bytesPerRun: number;
  /** The kind whose count grew most per run. */
  readonly worst: { readonly kind: string; readonly perRun: number };
  readonly fds: readonly [number, number];
}

/** Restarts of `service`; -1 until the daemon has loaded it. */
async function restarts(c: RpcClient, service: string): Promise<number> {
  try {
    return ((await c.call('service_status', { name: service })) as { restarts: number }).restarts;
  } catch {
    return -1;
  }
}

/**
 * The daemon as the host sees it. It runs in a PID namespace of its own with its own /proc, so what it
 * holds for the processes it walks does not change with whatever else this machine runs meanwhile.
 */
async function start(dir: string, files: Record<string, string>, args: readonly string[]): Promise<{ d: NamespacedDaemon; pid: number; snapDir: string }> {
  const snapDir = path.join(dir, 'snapshots');
  fs.mkdirSync(snapDir, { recursive: true });
  const d = await startInNamespace(files, { dir, args, env: heapProbeEnv(probeSocket(snapDir), cliEntry) });
  const pid = await waitFor(() => hostPidOf(d.socket), 5000, 'the daemon among the host processes');
  return { d, pid, snapDir };
}

function probeSocket(snapDir: string): string {
  return path.join(snapDir, 'probe.sock');
}

function hostPidOf(socket: string): number | null {
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const argv = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      // Node options may come before the script (the daemon re-executes itself with its heap limit).
      const at = argv.indexOf(cliEntry);
      if (at > 0 && argv[at + 2] === socket && argv[at + 3] === 'init') return Number(name);
    } catch {
      // Gone meanwhile.
    }
  }
  return null;
}

/**
 * The smaller of two snapshots taken a few restarts apart: what is kept is in both, an object that only
 * happens to be in flight at one of them is not.
 */
async function census(snapDir: string): Promise<HeapCensus> {
  const read = async (): Promise<HeapCensus> => {
    const file = await takeHeapSnapshot(probeSocket(snapDir), path.join(snapDir, 'heap.heapsnapshot'));
    const c = readHeapCensus(file);
    fs.rmSync(file);
    return c;
  };
  const a = await read();
  const b = await read();
  return a.bytes <= b.bytes ? a : b;
}

/** Heap growth per restart of `service` from the end of the warm-up to `runs` restarts later. */
async function heapGrowth(socket: string, pid: number, snapDir: string, service: string, runs: number): Promise<Growth> {
  client = await RpcClient.connect(socket);
  const c = client;
  const reach = (n: number): Promise<number> =>
    waitFor(async () => {
      const r = await restarts(c, service);
      return r >= n ? r : null;
    }, 300_000, `${n} restarts of ${service}`, 50);
  const fds = (): number => fs.readdirSync(`/proc/${pid}/fd`).length;
  const r0 = await reach(WARMUP);
  const before = await census(snapDir);
  const fd0 = fds();
  await reach(r0 + runs);
  const after = await census(snapDir);
  const fd1 = fds();
  const r1 = await restarts(c, service);
  const n = r1 - r0;
  let worst = { kind: '', perRun: -Infinity };
  for (const [kind, b] of after.byKind) {
    if (V8_OWN.has(kind)) continue;
    const perRun = (b.count - (before.byKind.get(kind)?.count ?? 0)) / n;
    if (perRun > worst.perRun) worst = { kind, perRun };
  }
  return { runs: n, bytesPerRun: (after.bytes - before.bytes) / n, worst, fds: [fd0, fd1] };
}

function idleServices(count: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 1; i <= count; i++) files[`idle-${String(i).padStart(2, '0')}`] = 'exec: sleep 100000\n';
  return files;
}

test('1000 restarts of a crash-looping service beside 50 idle ones leave the live heap and the fds flat after warm-up', async (t) => {
  const { d, pid, snapDir } = await start(
    tempDir('zinit-ts-heap-'),
    { ...idleServices(50), crash: "exec: sh -c 'echo starting; echo failing >&2; exit 1'\nrestart_delay: 10ms\nrestart_max_delay: 10ms\n" },
    // Its output goes through the capture and the ring, which is full (100 lines) before the warm-up ends.
    ['-b', '100'],
  );
  daemon = d;
  const g = await heapGrowth(d.socket, pid, snapDir, 'crash', 1000);
  const summary = `${g.runs} restarts: ${g.bytesPerRun.toFixed(0)} bytes per run, most grown ${g.worst.kind} at ${g.worst.perRun.toFixed(3)} per run, fds ${g.fds.join(' -> ')}`;
  t.diagnostic(summary);
  assert.ok(g.bytesPerRun < BYTES_PER_RUN, summary);
  assert.ok(g.worst.perRun < OBJECTS_PER_RUN, summary);
  // A run in flight holds its pipes; an fd kept per run would add a thousand.
  assert.ok(g.fds[1] <= g.fds[0] + 16, summary);
});

test('control: the same measure sees what a ring big enough to keep every run holds', async (t) => {
  // A 2 KiB line per run, and a ring (-b) that keeps all of them (300 such lines stay under the ring's 2 MiB): 2 KiB and one line object kept per run.
  const { d, pid, snapDir } = await start(
    tempDir('zinit-ts-heap-'),
    { ...idleServices(5), chatty: "exec: sh -c 'printf \"%02048d\\n\" 0; exit 1'\nrestart_delay: 10ms\nrestart_max_delay: 10ms\n" },
    ['-b', '100000'],
  );
  daemon = d;
  const g = await heapGrowth(d.socket, pid, snapDir, 'chatty', 300);
  const summary = `${g.runs} restarts: ${g.bytesPerRun.toFixed(0)} bytes per run, most grown ${g.worst.kind} at ${g.worst.perRun.toFixed(3)} per run`;
  t.diagnostic(summary);
  // The thresholds of the test above would fail it, on both counts.
  assert.ok(g.bytesPerRun > 1.5 * BYTES_PER_RUN, summary);
  // The line's text, its record and its numbers grow alike, one each per run; which leads varies.
  assert.ok(g.worst.perRun >= OBJECTS_PER_RUN, summary);
});
