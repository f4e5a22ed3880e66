// A service given as JSON: the YAML written for it, and the same problems a load of that file reports.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadServiceFile } from '../../../src/config/load-dir.js';
import { parseServiceFile } from '../../../src/config/parse-service.js';
import { readDocument } from '../../../src/config/read-document.js';
import { renderService } from '../../../src/config/render-service.js';
import { MAX_FILE_BYTES } from '../../../src/config/limits.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zinit-render-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

void describe('renderService', () => {
  void test('valid content becomes block YAML that loads as that service, long commands on one line', async () => {
    const exec = `sh -c 'echo ${'x'.repeat(120)}; exec sleep 1000'`;
    const content = { exec, after: ['db'], env: { PORT: '8080', EMPTY: '' }, shutdown_timeout: 5, oneshot: false, test: 'true' };
    const file = path.join(dir, 'web.yaml');
    const r = renderService('web', content, file);
    assert.deepEqual(r.errors, []);
    assert.ok(r.text.includes(`exec: ${exec}\n`) || r.text.includes(`exec: "${exec}"\n`), r.text);
    assert.ok(r.text.split('\n').every((l) => !l.startsWith('{')), 'block style');
    fs.writeFileSync(file, r.text);
    const loaded = await loadServiceFile(dir, 'web');
    assert.deepEqual(loaded.errors, []);
    assert.equal(loaded.config?.exec, exec);
    assert.deepEqual(loaded.config?.after, ['db']);
    assert.deepEqual(loaded.config?.env, { PORT: '8080', EMPTY: '' });
    assert.equal(loaded.config?.shutdownTimeoutMs, 5000);
  });

  void test('a key the daemon would only warn about is refused, with its did-you-mean, as check refuses it', () => {
    const r = renderService('typo', { exec: 'true', afer: ['db'] }, path.join(dir, 'typo.yaml'));
    assert.equal(r.errors.length, 1, JSON.stringify(r.errors));
    assert.match(r.errors[0]?.message ?? '', /afer.*after/);
    assert.deepEqual(renderService('named', { exec: 'true', name: 'named' }, path.join(dir, 'named.yaml')).errors, [], 'name: equal to the file is fine');
  });

  void test('strings that look like other YAML types stay strings', async () => {
    const file = path.join(dir, 'quoted.yaml');
    const r = renderService('quoted', { exec: 'true', env: { A: 'yes', B: '010', C: 'null', D: '- x', E: 'a: b', F: 'line1\nline2' } }, file);
    assert.deepEqual(r.errors, []);
    fs.writeFileSync(file, r.text);
    assert.deepEqual((await loadServiceFile(dir, 'quoted')).config?.env, { A: 'yes', B: '010', C: 'null', D: '- x', E: 'a: b', F: 'line1\nline2' });
  });

  void test('invalid content reports what a load of the file would, placed in the file it would be', () => {
    const file = path.join(dir, 'bad.yaml');
    const r = renderService('bad', { after: 'db', shutdown_timeout: 'soon' }, file);
    assert.ok(r.errors.length >= 2, JSON.stringify(r.errors));
    assert.ok(r.errors.every((e) => e.file === file && e.service === 'bad'));
    assert.ok(r.errors.some((e) => /exec is required/.test(e.message)));
    assert.ok(r.errors.some((e) => e.line > 0), 'problems have lines');
  });

  void test('content whose file would pass the size limit is refused without a parse', () => {
    const r = renderService('big', { exec: 'x', env: { A: 'y'.repeat(MAX_FILE_BYTES) } }, path.join(dir, 'big.yaml'));
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0]?.code, 'too-large');
    assert.match(r.errors[0]?.message ?? '', /over the 1048576 bytes limit/);
  });

  void test('nesting deeper than a service file may be is refused, as a load refuses it', () => {
    let deep: Record<string, unknown> = { leaf: 'x' };
    for (let i = 0; i < 40; i++) deep = { k: deep };
    const r = renderService('deep', { exec: 'x', env: deep }, path.join(dir, 'deep.yaml'));
    assert.ok(r.errors.some((e) => e.code === 'too-deep'), JSON.stringify(r.errors));
  });
});

void describe('readDocument', () => {
  void test('a file\'s YAML as JSON, unvalidated, as zinit gives it', async () => {
    const file = path.join(dir, 'doc.yaml');
    fs.writeFileSync(file, 'exec: redis-server\nafter: [net]\nbogus_key: 3\nenv:\n  A: "1"\n');
    assert.deepEqual(await readDocument(file), { kind: 'content', value: { exec: 'redis-server', after: ['net'], bogus_key: 3, env: { A: '1' } } });
  });

  void test('a duplicate key is refused with its place; 40k keys read within 4× of the time a load parses them', async () => {
    const dup = path.join(dir, 'dup.yaml');
    fs.writeFileSync(dup, 'exec: a\nafter: []\nexec: b\n');
    assert.deepEqual(await readDocument(dup), { kind: 'not-yaml', detail: `${dup}:3:1: this key appears twice in the file; keep only one` });
    const file = path.join(dir, 'keys.yaml');
    const text = `exec: app\nenv:\n${Array.from({ length: 40_000 }, (_, i) => `  K${i}: "${i}"`).join('\n')}\n`;
    fs.writeFileSync(file, text);
    // The best of a few runs of each on a shared machine, the first a warm-up. The load's parse is
    // linear; the library's own duplicate-key check would make the read some 15× slower than it.
    const best = async (run: () => Promise<unknown>): Promise<number> => {
      let min = Number.POSITIVE_INFINITY;
      for (let i = 0; i <= 3; i += 1) {
        const t0 = performance.now();
        await run();
        if (i > 0) min = Math.min(min, performance.now() - t0);
      }
      return min;
    };
    const read = await best(async () => assert.equal((await readDocument(file)).kind, 'content'));
    const load = await best(() => Promise.resolve(assert.deepEqual(parseServiceFile('keys', text, file).errors, [])));
    assert.ok(read < 4 * load, `reading 40k keys took ${read.toFixed(0)} ms, a load's parse ${load.toFixed(0)} ms (${(read / load).toFixed(1)}×)`);
  });

  void test('missing, not YAML, not a mapping, not a regular file', async () => {
    assert.deepEqual(await readDocument(path.join(dir, 'absent.yaml')), { kind: 'missing' });
    const broken = path.join(dir, 'broken.yaml');
    fs.writeFileSync(broken, 'exec: [unclosed\n');
    const r = await readDocument(broken);
    assert.equal(r.kind, 'not-yaml');
    assert.match(r.kind === 'not-yaml' ? r.detail : '', new RegExp(`^${broken}:\\d+:\\d+: `));
    const list = path.join(dir, 'list.yaml');
    fs.writeFileSync(list, '- a\n- b\n');
    assert.deepEqual(await readDocument(list), { kind: 'not-yaml', detail: `${list} holds a list, not a mapping of keys to values` });
    const empty = path.join(dir, 'empty.yaml');
    fs.writeFileSync(empty, '');
    assert.deepEqual(await readDocument(empty), { kind: 'not-yaml', detail: `${empty} holds nothing, not a mapping of keys to values` });
    const sub = path.join(dir, 'sub.yaml');
    fs.mkdirSync(sub);
    const d = await readDocument(sub);
    assert.equal(d.kind, 'failed');
    assert.match(d.kind === 'failed' ? d.detail : '', /is a directory, not a regular file/);
  });
});
