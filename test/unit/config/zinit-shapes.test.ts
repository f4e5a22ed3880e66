// Every shape zinit's reference, guide and example script write loads through the daemon's loader as zinit reads it.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { loadConfigDir, loadServiceFile } from '../../../src/config/load-dir.js';
import { strictLoad } from '../../../src/config/strict-load.js';
import { buildDependencyGraph } from '../../../src/graph/dependency-graph.js';
import { fixture } from '../../helpers/paths.js';

const DIR = fixture('config/zinit-shapes');
const NAMES = fs.readdirSync(DIR).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -'.yaml'.length)).sort();

void describe('zinit-shaped service files', () => {
  void test('every file loads, with no error; only the unknown keys warn', async () => {
    assert.ok(NAMES.length >= 12, `fixtures found: ${NAMES.join(', ')}`);
    const { services, errors, warnings } = await loadConfigDir(DIR);
    assert.deepEqual(errors, []);
    assert.deepEqual([...services.keys()].sort(), NAMES);
    assert.deepEqual(warnings.map((w) => [w.service, w.line, w.code]), [['annotated', 2, 'unknown-key'], ['annotated', 4, 'unknown-key']]);
    assert.match(warnings[0]?.message ?? '', /^unknown key "description"; known keys are exec, /);
  });

  void test('every dependency is defined and there is no cycle, so nothing waits on a config error', async () => {
    const { services } = await loadConfigDir(DIR);
    const graph = buildDependencyGraph([...services.values()].map((s) => ({ name: s.name, after: s.after })));
    assert.deepEqual([...graph.missing], []);
    assert.deepEqual(graph.cycles, []);
  });

  void test('each value is read as zinit reads it', async () => {
    const { services } = await loadConfigDir(DIR);
    const get = (name: string) => {
      const s = services.get(name);
      assert.ok(s, name);
      return s;
    };
    assert.deepEqual([get('ticker').argv, get('ticker').log], [['/bin/bash', '-c', "while true; do echo 'tick from ticker!'; sleep 5; done"], 'stdout']);
    assert.equal(get('forker').argv[2], 'for n in {1..3}; do (sleep 900 > /dev/null &) ; done; while true; do sleep 10; done');
    const every = get('every-key');
    assert.deepEqual(
      [every.argv, every.testArgv, every.oneshot, every.shutdownTimeoutMs, every.after, every.stopSignal, every.log, every.env, every.dir],
      [['sleep', '901'], ['sh', '-c', 'exit 0'], false, 30_000, ['prepare', 'cache'], 'SIGKILL', 'ring', { FIRST: 'one', SECOND: 'two' }, '/tmp'],
    );
    const backend = get('backend');
    assert.deepEqual([backend.argv, backend.testArgv, backend.stopSignal, backend.shutdownTimeoutMs], [
      ['sh', '-c', 'exec sleep 903', 'backend', '--config', '/etc/backend.conf'],
      ['sh', '-c', 'test -n "$LISTEN_PORT"'],
      'SIGINT',
      20_000,
    ]);
    assert.deepEqual([get('prepare').oneshot, get('prepare').dir, get('prepare').env], [true, '/tmp', { SCHEMA_HOST: 'localhost', SCHEMA_USER: 'admin' }]);
    assert.deepEqual([get('cache').argv, get('cache').testArgv, get('cache').after], [['sleep', '904'], ['true'], ['network']], 'trailing comments are not part of the values');
    assert.deepEqual([get('network').oneshot, get('network').log], [true, 'none']);
    const written = get('written');
    assert.deepEqual([written.after, written.stopSignal, written.log, written.env, written.dir, written.shutdownTimeoutMs], [[], 'SIGTERM', 'ring', {}, '/', 10_000]);
    const defaults = get('defaults');
    assert.deepEqual([defaults.test, defaults.dir, defaults.stopSignal], [null, '/', 'SIGHUP'], 'empty strings stand for not set, as zinit defaults them');
    assert.deepEqual(get('typed-env').env, { PORT: '8080', VERBOSE: 'true', RATIO: '0.5', QUOTED: 'a b c' });
    assert.deepEqual(get('annotated').argv, ['sleep', '908']);
  });

  void test('monitor loads each one alone the same way', async () => {
    const { services } = await loadConfigDir(DIR);
    for (const name of NAMES) {
      const one = await loadServiceFile(DIR, name);
      assert.deepEqual(one.errors, [], name);
      assert.deepEqual(one.config, services.get(name), name);
    }
  });

  void test('check refuses the one file with unknown keys and no other', async () => {
    const { services, errors } = strictLoad(await loadConfigDir(DIR));
    assert.deepEqual(NAMES.filter((n) => !services.has(n)), ['annotated']);
    assert.deepEqual(errors.map((e) => [e.service, e.line]), [['annotated', 2], ['annotated', 4]]);
  });
});
