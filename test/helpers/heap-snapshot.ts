// The live heap of another Node process, read from the V8 heap snapshot it writes on a signal (node --heapsnapshot-signal).
import fs from 'node:fs';
import path from 'node:path';
import { waitFor } from './wait-for.js';

/** The node flags that make a daemon write a snapshot into `dir` on SIGUSR2; nothing else changes in it. */
export function heapSnapshotFlags(dir: string): string[] {
  return ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${dir}`];
}

export interface HeapCensus {
  /** Bytes of every live object (a snapshot follows a full garbage collection). */
  readonly bytes: number;
  readonly objects: number;
  /** Live objects by kind: `object:ChildProcess`, `closure:onExit`, `string`, … */
  readonly byKind: ReadonlyMap<string, { readonly count: number; readonly bytes: number }>;
}

interface SnapshotJson {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Signals `pid` and waits (bounded) for its new snapshot to be complete; returns the file. */
export async function takeHeapSnapshot(pid: number, dir: string, timeoutMs = 60_000): Promise<string> {
  const before = new Set(snapshotsIn(dir));
  process.kill(pid, 'SIGUSR2');
  const file = await waitFor(() => snapshotsIn(dir).find((f) => !before.has(f)), timeoutMs, `a heap snapshot of ${pid}`);
  // Written in place by the process: complete once it parses.
  await waitFor(() => {
    try {
      JSON.parse(fs.readFileSync(file, 'utf8'));
      return true;
    } catch {
      return false;
    }
  }, timeoutMs, `the heap snapshot ${file} to be complete`, 50);
  return file;
}

export function readHeapCensus(file: string): HeapCensus {
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as SnapshotJson;
  const fields = json.snapshot.meta.node_fields;
  const types = json.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const byKind = new Map<string, { count: number; bytes: number }>();
  let bytes = 0;
  let objects = 0;
  for (let i = 0; i < json.nodes.length; i += width) {
    const type = types[json.nodes[i + typeAt] ?? 0] ?? '?';
    const size = json.nodes[i + sizeAt] ?? 0;
    const named = type === 'object' || type === 'closure' || type === 'native';
    const kind = named ? `${type}:${json.strings[json.nodes[i + nameAt] ?? 0] ?? '?'}` : type;
    const entry = byKind.get(kind) ?? { count: 0, bytes: 0 };
    entry.count += 1;
    entry.bytes += size;
    byKind.set(kind, entry);
    bytes += size;
    objects += 1;
  }
  return { bytes, objects, byKind };
}

/** Kinds whose count grew from `a` to `b`, most grown first. */
export function grownKinds(a: HeapCensus, b: HeapCensus, top = 30): { kind: string; count: number; bytes: number }[] {
  const out: { kind: string; count: number; bytes: number }[] = [];
  for (const [kind, after] of b.byKind) {
    const before = a.byKind.get(kind) ?? { count: 0, bytes: 0 };
    if (after.count > before.count) out.push({ kind, count: after.count - before.count, bytes: after.bytes - before.bytes });
  }
  return out.sort((x, y) => y.bytes - x.bytes).slice(0, top);
}

function snapshotsIn(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.heapsnapshot'))
    .map((f) => path.join(dir, f));
}
