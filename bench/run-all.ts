// Runs every bench (shutdown, idle, status, then the other bench/*.js as child processes) and prints one report: machine, versions, one table (node dist/bench/run-all.js [BENCH…]).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeMachine, describeVersions } from './bench-machine.js';
import { progress } from './bench-run.js';
import { renderNotes, renderTable, type BenchResult } from './bench-table.js';
import { benchIdle } from './idle.js';
import { probeAll, selectedPeers } from './peers-all.js';
import { benchShutdown } from './shutdown.js';
import { benchStatus } from './status.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** Benches written as plain scripts that print their own figures. */
const OTHERS = ['reap', 'log', 'rpc-transport', 'restarts', 'cli-startup', 'idle-floor', 'cgroup-stop', 'spawn-shim'] as const;
const OTHER_TIMEOUT_MS = 600_000;
const OWN = { shutdown: benchShutdown, idle: benchIdle, status: benchStatus } as const;
type Own = keyof typeof OWN;

function runScript(file: string): Promise<string> {
  return new Promise((resolve) => {
    execFile(process.execPath, [file], { timeout: OTHER_TIMEOUT_MS, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const tail = err ? `\n(failed: ${err.killed ? `killed after ${OTHER_TIMEOUT_MS / 1000} s` : err.message.split('\n')[0] ?? ''})\n${stderr.trim()}` : '';
      resolve(`${stdout.trim()}${tail}`);
    });
  });
}

function loadavg(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const known = [...Object.keys(OWN), 'others'];
  const unknown = wanted.filter((w) => !known.includes(w));
  if (unknown.length > 0) throw new Error(`unknown bench ${unknown.join(', ')}; known: ${known.join(', ')}`);
  const runs = (name: string): boolean => wanted.length === 0 || wanted.includes(name);

  const peers = selectedPeers();
  const probes = await probeAll(peers);
  const loadBefore = loadavg();
  const started = Date.now();
  const results: BenchResult[] = [];
  for (const name of Object.keys(OWN) as Own[]) if (runs(name)) results.push(await OWN[name]({ peers }));

  const others: string[] = [];
  if (runs('others')) {
    for (const name of OTHERS) {
      const file = path.join(HERE, `${name}.js`);
      if (!fs.existsSync(file)) continue;
      progress(`${name}: node ${path.relative(process.cwd(), file)}`);
      others.push(`### ${name} (node ${path.relative(process.cwd(), file)})\n${await runScript(file)}`);
    }
  }

  const names = peers.map((p) => p.name);
  console.log('# zinit-ts benchmarks\n');
  console.log(describeMachine());
  console.log(describeVersions(probes));
  console.log(`load average before ${loadBefore}, after ${loadavg()}; took ${((Date.now() - started) / 60_000).toFixed(1)} min\n`);
  if (results.length > 0) {
    console.log(renderTable(results, names));
    console.log(`\n${renderNotes(results)}`);
  }
  if (others.length > 0) console.log(`\n## other benches (zinit-ts only)\n\n${others.join('\n\n')}`);
}

await main();
