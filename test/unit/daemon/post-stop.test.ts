// post_stop: run with the service's environment and output, logged when it ends, its group killed at the stop timeout.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { postStopRunner } from '../../../src/daemon/post-stop.js';
import type { ProcessHandle, ProcessPort, SpawnRequest } from '../../../src/supervisor/ports.js';
import { MemoryLogger } from '../../../src/log/memory-logger.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { FakeOs } from '../../helpers/fake-os.js';
import { svc } from '../../helpers/service-config.js';

const output = (): void => undefined;
const processes = { env: () => ({ FROM: 'service' }), output: () => output };

function setup(proc: Pick<ProcessPort, 'spawn' | 'signalGroup'> = new FakeOs()): { run: ReturnType<typeof postStopRunner>; clock: FakeClock; logger: MemoryLogger } {
  const clock = new FakeClock();
  const logger = new MemoryLogger();
  return { run: postStopRunner({ proc, clock, logger, processes }), clock, logger };
}

void describe('postStopRunner', () => {
  void test('a service without post_stop spawns nothing', async () => {
    const os = new FakeOs();
    await setup(os).run(svc('web'));
    assert.equal(os.spawned.length, 0);
  });

  void test("runs post_stop with the service's environment, directory and output, and logs how it ended", async () => {
    const os = new FakeOs();
    const { run, clock, logger } = setup(os);
    await run(svc('web', { postStopArgv: ['cleanup', '--all'], dir: '/srv/web' }));
    const req = os.spawned[0]?.req;
    assert.deepEqual(req && { role: req.role, argv: req.argv, env: req.env, cwd: req.cwd, output: req.output }, { role: 'post-stop', argv: ['cleanup', '--all'], env: { FROM: 'service' }, cwd: '/srv/web', output });
    assert.deepEqual(logger.find('post_stop finished', 'info')[0]?.fields, { service: 'web', code: 0, signal: null });
    assert.equal(clock.pending, 0, 'the kill timer is cleared once it exits');
  });

  void test("kills post_stop's group once it outlives the stop timeout", async () => {
    let exit: (code: number | null, signal: NodeJS.Signals | null) => void = () => undefined;
    const killed: [number, NodeJS.Signals][] = [];
    const proc = {
      spawn: (_req: SpawnRequest): ProcessHandle => ({ pid: 42, spawnError: null, exited: new Promise((r) => (exit = (code, signal) => r({ code, signal }))) }),
      signalGroup: (pgid: number, signal: NodeJS.Signals) => {
        killed.push([pgid, signal]);
        exit(null, signal);
      },
    };
    const { run, clock, logger } = setup(proc);
    const done = run(svc('web', { postStopArgv: ['hang'], shutdownTimeoutMs: 3000 }));
    await clock.advance(2999);
    assert.deepEqual(killed, [], 'not before the stop timeout');
    await clock.advance(1);
    await done;
    assert.deepEqual(killed, [[42, 'SIGKILL']]);
    assert.deepEqual(logger.find('post_stop finished')[0]?.fields, { service: 'web', code: null, signal: 'SIGKILL' });
  });

  void test('a post_stop that could not be spawned is logged with its error, and no group is signalled for it', async () => {
    const signalled: number[] = [];
    let exit: () => void = () => undefined;
    const proc = {
      spawn: (): ProcessHandle => ({ pid: 0, spawnError: 'spawn cleanup ENOENT', exited: new Promise((r) => (exit = () => r({ code: 127, signal: null }))) }),
      signalGroup: (pgid: number) => void signalled.push(pgid),
    };
    const { run, clock, logger } = setup(proc);
    const done = run(svc('web', { postStopArgv: ['cleanup'], shutdownTimeoutMs: 1000 }));
    await clock.advance(5000);
    exit();
    await done;
    assert.deepEqual(signalled, [], 'pid 0 is no group to kill');
    assert.deepEqual(logger.find('post_stop finished')[0]?.fields, { service: 'web', code: 127, signal: null, error: 'spawn cleanup ENOENT' });
  });
});
