// The child registry sees every child_process child from the moment spawn returns until libuv has reaped it.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ChildProcess, exec, execFile, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { installChildRegistry } from '../../../src/os/child-registry.js';
import { readStat } from '../../../src/os/proc.js';
import { fixture } from '../../helpers/paths.js';
import { waitFor } from '../../helpers/wait-for.js';
import { within } from './bounded.js';

const registry = installChildRegistry();

/** Checks, inside the first 'exit' listener user code can add, that the pid has already left the registry.
 *  The listener is attached synchronously, before the returned promise is first awaited. */
async function exitsUnregistered(child: ChildProcess): Promise<[number | null, string | null]> {
  const pid = child.pid ?? -1;
  const [code, signal, registeredAtExit, stateAtExit] = await within(
    new Promise<[number | null, string | null, boolean, string | undefined]>((resolve) =>
      child.on('exit', (c, s) => resolve([c, s, registry.has(pid), readStat(pid)?.state])),
    ),
    5000,
    `pid ${pid} to exit`,
  );
  assert.equal(registeredAtExit, false, `pid ${pid} still registered at 'exit'`);
  assert.equal(stateAtExit, undefined, `pid ${pid} not yet reaped by libuv at 'exit' (state ${stateAtExit})`);
  return [code, signal];
}

void describe('installChildRegistry', () => {
  void test('is idempotent', () => {
    assert.equal(installChildRegistry(), registry);
  });

  void test('spawn: registered by the time spawn() returns, gone at exit', async () => {
    const before = registry.size;
    const child = spawn('/bin/sh', ['-c', 'exit 3'], { stdio: 'ignore' });
    const pid = child.pid;
    assert.ok(pid);
    assert.equal(registry.has(pid), true);
    assert.ok(registry.pids().includes(pid));
    assert.equal(registry.size, before + 1);
    assert.deepEqual(await exitsUnregistered(child), [3, null]);
    assert.equal(registry.size, before);
  });

  void test('exec and execFile go through the same path', async () => {
    const viaExec = exec('exit 4');
    const viaExecFile = execFile('/bin/sh', ['-c', 'kill -s TERM $$']);
    for (const child of [viaExec, viaExecFile]) assert.equal(registry.has(child.pid ?? -1), true);
    // Both listeners go on before either exit is awaited.
    const exits = [exitsUnregistered(viaExec), exitsUnregistered(viaExecFile)];
    assert.deepEqual(await exits[0], [4, null]);
    assert.deepEqual(await exits[1], [null, 'SIGTERM']);
  });

  void test('fork too', async () => {
    const child = fork(fixture('reap-fork-child.js'), ['5'], { stdio: 'ignore' });
    assert.equal(registry.has(child.pid ?? -1), true);
    assert.deepEqual(await exitsUnregistered(child), [5, null]);
  });

  void test('a child whose exit listeners were all removed still leaves the registry', async () => {
    const child = spawn('/bin/sh', ['-c', 'exit 0'], { stdio: 'ignore' });
    const pid = child.pid ?? -1;
    child.removeAllListeners('exit');
    assert.equal(registry.has(pid), true);
    await waitFor(() => child.exitCode !== null, 5000, 'the child to exit');
    assert.equal(registry.has(pid), false);
    assert.equal(registry.pids().includes(pid), false);
  });

  void test('a spawn that fails registers nothing', async () => {
    const before = registry.pids();
    const child = spawn('/nonexistent/zinit-test-binary', [], { stdio: 'ignore' });
    assert.equal(child.pid, undefined);
    const [err] = (await within(once(child, 'error'), 5000, 'the spawn error')) as [NodeJS.ErrnoException];
    assert.equal(err.code, 'ENOENT');
    assert.deepEqual(registry.pids(), before);
  });

  void test('a worker thread that installs it cannot spawn, and is told why', async () => {
    const moduleUrl = new URL('../../../src/os/child-registry.js', import.meta.url).href;
    const worker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       import(workerData).then(({ installChildRegistry }) => {
         installChildRegistry();
         try {
           require('node:child_process').spawn('/bin/true');
           parentPort.postMessage('spawned');
         } catch (err) {
           parentPort.postMessage(err.message);
         }
       });`,
      { eval: true, workerData: moduleUrl },
    );
    const [message] = (await within(once(worker, 'message'), 10000, 'the worker to report')) as [string];
    await worker.terminate();
    assert.match(message, /worker thread is refused/);
    assert.match(message, /Spawn from the main thread/);
  });
});
