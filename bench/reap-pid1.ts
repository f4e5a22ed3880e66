// Minimal init for bench/reap.ts: the child registry and the reaper around one command, whose exit it passes on.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { installChildRegistry } from '../src/os/child-registry.js';
import { loadLibc } from '../src/os/libc.js';
import { readOwnChildren } from '../src/os/proc.js';
import { Reaper } from '../src/os/reaper.js';

const [command, ...args] = process.argv.slice(2);
// Without a command this file is being collected by a test runner or run by mistake: nothing to do.
if (command !== undefined) {
  const registry = installChildRegistry();
  const loaded = loadLibc();
  if ('error' in loaded) {
    process.stderr.write(`${loaded.error}\n`);
    process.exit(70);
  }
  if (loaded.libc.getpid() !== 1) loaded.libc.setChildSubreaper();
  const reaper = new Reaper({ libc: loaded.libc, isManaged: (pid) => registry.has(pid), listOwnChildren: () => readOwnChildren() });
  reaper.start();

  const child = spawn(command, args, { stdio: 'inherit' });
  child.on('exit', (code, signal) => {
    const statsFile = process.env['REAP_STATS_FILE'];
    if (statsFile) fs.writeFileSync(statsFile, JSON.stringify(reaper.stats));
    process.exit(code ?? 128 + (signal ? os.constants.signals[signal] : 0));
  });
}
