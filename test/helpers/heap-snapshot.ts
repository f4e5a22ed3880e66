// The live heap of another Node process, read from the V8 heap snapshots it writes when asked.
//
// A small module is loaded into the process (`--import`) that listens on a Unix socket of the test's
// own: each connection makes it write one snapshot (V8 collects the garbage first) into the file it is
// sent, and answer once the file is complete. Asked this way, the answer comes on every Node line and
// however the process takes its signals (a snapshot asked for by --heapsnapshot-signal was not always
// written by a daemon that is PID 1 of its own namespace).
import fs from 'node:fs';
import net from 'node:net';
import { once } from 'node:events';

const PROBE_SOURCE = `
import net from 'node:net';
import fs from 'node:fs';
import v8 from 'node:v8';
import { isMainThread } from 'node:worker_threads';
const at = process.env.ZINIT_TS_HEAP_PROBE;
const script = process.env.ZINIT_TS_HEAP_PROBE_SCRIPT;
// The process's own thread only (a worker it starts loads this too), and only the script asked for.
if (at && isMainThread && (!script || process.argv[1] === script)) {
  // A process that re-executes itself finds the path of its first image still bound.
  try { fs.rmSync(at, { force: true }); } catch {}
  const server = net.createServer((c) => {
    let asked = '';
    c.setEncoding('utf8');
    c.on('data', (d) => {
      asked += d;
      const nl = asked.indexOf('\\n');
      if (nl < 0) return;
      try { v8.writeHeapSnapshot(asked.slice(0, nl)); c.end('ok\\n'); } catch (e) { c.end('error ' + String(e) + '\\n'); }
    });
    c.on('error', () => {});
  });
  server.on('error', () => {});
  server.listen(at);
  server.unref();
}
`;

/**
 * The environment that makes a Node process started with it, and running `script`, answer heap snapshot
 * requests on `socket`. Other Node processes that inherit it (a sentinel above the daemon) are left alone.
 */
export function heapProbeEnv(socket: string, script: string): Record<string, string> {
  return { NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(PROBE_SOURCE)}`, ZINIT_TS_HEAP_PROBE: socket, ZINIT_TS_HEAP_PROBE_SCRIPT: script };
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

/** Asks the process behind `socket` for a snapshot written to `file`; resolves once it is complete. Bounded by `timeoutMs`. */
export async function takeHeapSnapshot(socket: string, file: string, timeoutMs = 120_000): Promise<string> {
  const c = net.connect(socket);
  c.setEncoding('utf8');
  const timer = setTimeout(() => c.destroy(new Error(`no heap snapshot from ${socket} within ${timeoutMs} ms`)), timeoutMs);
  try {
    await once(c, 'connect');
    c.write(`${file}\n`);
    let answer = '';
    for await (const chunk of c) answer += String(chunk);
    if (answer !== 'ok\n') throw new Error(`the heap probe at ${socket} answered ${JSON.stringify(answer)}`);
    return file;
  } finally {
    clearTimeout(timer);
    c.destroy();
  }
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
