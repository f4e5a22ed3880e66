// init's options across its own re-execution: written into the environment, taken out of it before anything can inherit them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HANDOFF_ENV, handoffEnvironment, takeHandoff, type HandedOptions } from '../../../src/cli/init-handoff.js';

const options: HandedOptions = {
  configDir: '/etc/zinit',
  socketPath: '/run/z.sock',
  container: true,
  bufferLines: 7,
  logFormat: 'json',
  shutdownSignals: ['SIGTERM', 'SIGINT'],
  metrics: '127.0.0.1:9100',
  http: { allowRemote: false, tokenFile: null, allowOrigins: ['https://a.example'] },
  logLevel: 'debug',
  environmentFile: '',
};

test('the options read back exactly, and leave the environment when taken', () => {
  const env = handoffEnvironment(300, options);
  assert.equal(typeof env[HANDOFF_ENV], 'string');
  assert.equal(env.PATH, process.env.PATH, 'the rest of the environment is kept');
  assert.equal(process.env[HANDOFF_ENV], undefined, 'this process environment is not changed');
  assert.deepEqual(takeHandoff(['-s', 'x', 'init', '-c', 'd'], env), { maxHeapMiB: 300, options });
  assert.equal(env[HANDOFF_ENV], undefined);
  assert.equal(takeHandoff(['init'], env), null, 'taken once');
});

test('anything but init, or options that do not read back, fall back to the command line', () => {
  const good = handoffEnvironment(300, options)[HANDOFF_ENV];
  for (const [argv, raw] of [
    [['list'], good],
    [['init'], '{'],
    [['init'], 'null'],
    [['init'], JSON.stringify({ maxHeapMiB: '300', options })],
    [['init'], JSON.stringify({ maxHeapMiB: 300, options: { ...options, configDir: 3 } })],
    [['init'], JSON.stringify({ maxHeapMiB: 300 })],
  ] as const) {
    const env: NodeJS.ProcessEnv = { [HANDOFF_ENV]: raw };
    assert.equal(takeHandoff(argv, env), null, `${argv.join(' ')} with ${String(raw)}`);
    assert.equal(env[HANDOFF_ENV], undefined, 'removed all the same');
  }
  assert.equal(takeHandoff(['init'], {}), null);
});
