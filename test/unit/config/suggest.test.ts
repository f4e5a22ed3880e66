// "Did you mean" hints for unknown keys.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { editDistance, suggest } from '../../../src/config/suggest.js';
import { SERVICE_KEYS } from '../../../src/config/known-keys.js';

void describe('editDistance', () => {
  void test('counts insertions, deletions, substitutions and swaps', () => {
    assert.equal(editDistance('exec', 'exec'), 0);
    assert.equal(editDistance('exe', 'exec'), 1);
    assert.equal(editDistance('execc', 'exec'), 1);
    assert.equal(editDistance('exac', 'exec'), 1);
    assert.equal(editDistance('exce', 'exec'), 1);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('kitten', 'sitting'), 3);
  });
});

void describe('suggest', () => {
  const cases: [string, string | null][] = [
    ['exce', 'exec'],
    ['Exec', 'exec'],
    ['shutdown_timout', 'shutdown_timeout'],
    ['shutdown-timeout', 'shutdown_timeout'],
    ['restart_dely', 'restart_delay'],
    ['usr', 'user'],
    ['depends_on', 'after'],
    ['requires', 'after'],
    ['cmd', 'exec'],
    ['command', 'exec'],
    ['environment', 'env'],
    ['working_dir', 'dir'],
    ['stop_signal', 'signal'],
    ['healthcheck', 'test'],
    ['logfile', 'log_file'],
    ['readiness', 'ready'],
    ['readinessProbe', 'ready'],
    ['livenessProbe', 'live'],
    ['liveness', 'live'],
    ['live_intervall', 'live_interval'],
    ['periodSeconds', 'live_interval'],
    ['live_failure', 'live_failures'],
    ['failureThreshold', 'live_failures'],
    ['live_timeout', 'test_timeout'],
    ['timeoutSeconds', 'test_timeout'],
    ['sd_notify', 'notify'],
    ['notify_socket', 'notify'],
    ['notfy', 'notify'],
    ['foo', null],
    ['completely_unrelated', null],
    ['constructor', null],
  ];
  for (const [word, meant] of cases) {
    void test(`${word} → ${String(meant)}`, () => {
      assert.equal(suggest(word, SERVICE_KEYS), meant);
    });
  }

  void test('only suggests words it was given', () => {
    assert.equal(suggest('depends_on', ['exec']), null);
    assert.equal(suggest('nevr', ['always', 'on-failure', 'never']), 'never');
  });
});
