// What entering a cgroup before exec costs a spawn: /bin/true started plainly and through the shim into a leaf, same run (node dist/bench/spawn-shim.js [N]).
import fs from 'node:fs';
import path from 'node:path';
import { cgroupFs } from '../src/os/cgroup-fs.js';
import { containedSpawn } from '../src/os/contained-spawn.js';
import { detectCgroup } from '../src/os/cgroup-detect.js';
import { spawnProcess } from '../src/os/spawn.js';
import { CgroupLayout } from '../src/supervisor/cgroup-layout.js';
import type { ProcessHandle, SpawnRequest } from '../src/supervisor/ports.js';
import { isMain, progress } from './bench-run.js';
import { median } from './bench-table.js';

const ROUNDS = 5;

async function timeSpawns(spawn: (req: SpawnRequest) => ProcessHandle, n: number): Promise<number> {
  const req: SpawnRequest = { service: 'bench', role: 'main', argv: ['/bin/true'], env: { PATH: '/usr/bin:/bin' }, cwd: '/', uid: null, gid: null, output: null };
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const status = await spawn(req).exited;
    if (status.code !== 0) throw new Error(`/bin/true exited ${String(status.code)} ${String(status.signal)}`);
  }
  return (performance.now() - t0) / n;
}

export async function benchSpawnShim(n: number): Promise<string> {
  const detected = detectCgroup({ setting: 'auto', instanceKey: `bench-${process.pid}` });
  if (detected.mode !== 'cgroup') return `spawn through the cgroup shim: not measured (${detected.mode === 'proc' ? detected.why : detected.why})`;
  const base = detected.base;
  const layout = new CgroupLayout({ fs: cgroupFs, base, selfPid: process.pid, home: detected.own });
  layout.setUp();
  try {
    const contained = containedSpawn({ layout, setpriv: null, spawn: spawnProcess });
    const plain: number[] = [];
    const shim: number[] = [];
    // Alternating rounds: a change in the machine's load falls on both.
    for (let r = 0; r < ROUNDS; r++) {
      progress(`spawn-shim: round ${r + 1}/${ROUNDS}`);
      plain.push(await timeSpawns(spawnProcess, n));
      shim.push(await timeSpawns(contained, n));
    }
    const p = median(plain);
    const s = median(shim);
    return [
      `spawn and exit of /bin/true, ${n} in a row, median of ${ROUNDS} rounds:`,
      `  plain spawn: ${p.toFixed(2)} ms; into a cgroup leaf through /bin/sh and env -i: ${s.toFixed(2)} ms (×${(s / p).toFixed(2)}, +${(s - p).toFixed(2)} ms)`,
    ].join('\n');
  } finally {
    layout.tearDown();
    if (fs.existsSync(base)) fs.rmdirSync(path.join(base));
  }
}

if (isMain(import.meta.url)) process.stdout.write(`${await benchSpawnShim(Number(process.argv[2] ?? 200))}\n`);
