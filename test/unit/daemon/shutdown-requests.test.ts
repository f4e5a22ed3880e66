// The one shutdown: the first request is the one acted on, later ones are logged and change nothing.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ShutdownRequests } from '../../../src/daemon/shutdown-requests.js';
import { MemoryLogger } from '../../../src/log/memory-logger.js';

void describe('ShutdownRequests', () => {
  void test('the first request wins, with its kind and exit code; a later one is a warning', async () => {
    const logger = new MemoryLogger();
    const shutdown = new ShutdownRequests(logger);
    shutdown.request({ kind: 'stop', exitCode: 3, why: 'critical service db failed' });
    shutdown.request({ kind: 'reboot', exitCode: 0, why: 'reboot requested over the control socket' });
    assert.deepEqual(await shutdown.requested, { kind: 'stop', exitCode: 3, why: 'critical service db failed' });
    assert.deepEqual(logger.find('shutdown requested', 'info').map((e) => e.fields), [{ why: 'critical service db failed', kind: 'stop' }]);
    assert.deepEqual(logger.find('shutdown already in progress', 'warn').map((e) => e.fields), [{ why: 'reboot requested over the control socket' }]);
  });

  void test('every waiter gets the one outcome', async () => {
    const shutdown = new ShutdownRequests(new MemoryLogger());
    const outcome = { report: ['shutdown report (0 ms for services)'], durationMs: 0, sigkilled: [], swept: 0, remaining: 0 };
    const waiters = [shutdown.outcome, shutdown.outcome];
    shutdown.publish(outcome);
    assert.deepEqual(await Promise.all(waiters), [outcome, outcome]);
  });
});
