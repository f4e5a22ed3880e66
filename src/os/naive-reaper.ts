// ZINIT_TS_REAPER=naive, a diagnostic: the reaper naive inits use, `for (;;) waitpid(-1)`, here in a thread of its
// own so that it is woken by each exit before libuv sees the SIGCHLD. It takes exit statuses that child_process is
// waiting for: the tests use it to show what the real reaper (reaper.ts) gets right. Never a reaper.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const SOURCE = `
const { workerData } = require('node:worker_threads');
const koffi = require(workerData.koffi);
let lib;
try { lib = koffi.load('libc.so.6'); } catch { lib = koffi.load(null); }
const waitpid = lib.func('int waitpid(int pid, _Out_ int *status, int options)');
const idle = new Int32Array(new SharedArrayBuffer(4));
const status = [0];
// No child at all (ECHILD): look again shortly.
for (;;) if (waitpid(-1, status, 0) < 0) Atomics.wait(idle, 0, 0, 10);
`;

export function startNaiveReaper(): void {
  new Worker(SOURCE, { eval: true, workerData: { koffi: createRequire(import.meta.url).resolve('koffi') } }).unref();
}
