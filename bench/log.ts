// Throughput of output capture: a real child floods its stdout pipe; we split and store every line.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { attachCapture } from '../src/log/capture.js';
import { FileSink } from '../src/os/log-file-sink.js';
import { LogStore } from '../src/log/log-store.js';

const SECONDS = Number(process.argv[2] ?? '3');
const writer = path.join(path.dirname(fileURLToPath(import.meta.url)), 'log-writer.js');

interface Result {
  lines: number;
  bytes: number;
  wallS: number;
  userMs: number;
  systemMs: number;
  /** The file sink's counters (null without one). */
  file: { written: number; dropped: number; rotations: number } | null;
}

async function run(withFile: boolean): Promise<Result> {
  const store = new LogStore({ capacityPerService: 10_000 });
  const dir = withFile ? fs.mkdtempSync(path.join(os.tmpdir(), 'zinit-bench-')) : null;
  const file = dir === null ? null : new FileSink({ path: path.join(dir, 'bench.log'), maxSize: 10 << 20, maxFiles: 5 });
  let bytes = 0;
  const child = spawn(process.execPath, [writer, String(SECONDS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.on('data', (c: Buffer) => (bytes += c.length));
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  attachCapture('bench', 'stdout', child.stdout, (service, stream, text) => {
    const line = store.append(service, stream, text);
    file?.write(stream, text, line.ts);
  });
  await new Promise<void>((resolve) => child.on('close', () => resolve()));
  await file?.close();
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  if (dir !== null) fs.rmSync(dir, { recursive: true, force: true });
  const stats = file?.stats() ?? null;
  return { lines: store.latestSeq(), bytes, wallS, userMs: cpu.user / 1000, systemMs: cpu.system / 1000, file: stats };
}

function report(name: string, r: Result): void {
  const perMillion = 1e6 / r.lines;
  console.log(`${name}:`);
  console.log(`  lines            ${r.lines.toLocaleString('en-US')} in ${r.wallS.toFixed(2)} s`);
  console.log(`  throughput       ${Math.round(r.lines / r.wallS).toLocaleString('en-US')} lines/s, ${(r.bytes / r.wallS / 1e6).toFixed(1)} MB/s`);
  console.log(
    `  CPU per 1M lines ${((r.userMs + r.systemMs) * perMillion).toFixed(0)} ms ` +
      `(user ${(r.userMs * perMillion).toFixed(0)} ms, system ${(r.systemMs * perMillion).toFixed(0)} ms)`,
  );
  if (r.file !== null) {
    console.log(
      `  file             ${r.file.written.toLocaleString('en-US')} records written, ` +
        `${r.file.dropped.toLocaleString('en-US')} dropped, ${r.file.rotations} rotations (10 MB, 5 kept)`,
    );
  }
  console.log(`  parent CPU load  ${(((r.userMs + r.systemMs) / 1000 / r.wallS) * 100).toFixed(0)}% of one core`);
}

console.log(`node ${process.version}, ${os.cpus().length} cores, child writes for ${SECONDS} s per scenario`);
report('LineSplitter + LogStore (log: ring)', await run(false));
report('LineSplitter + LogStore + FileSink (log: file)', await run(true));
