// Hostile service files: each kind is refused with its reason and position, in bounded time, and nothing throws.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfigDir } from '../../../src/config/load-dir.js';
import { MAX_ALIASES, MAX_DEPTH, MAX_ERRORS_PER_FILE, MAX_FILE_BYTES } from '../../../src/config/limits.js';
import { parseServiceFile } from '../../../src/config/parse-service.js';
import type { ConfigError } from '../../../src/config/types.js';
import { manyKeysFile } from '../../helpers/hostile-config.js';

let root: string;
let n = 0;

before(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'zinit-hostile-'));
});

after(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

function parse(text: string): ConfigError[] {
  return parseServiceFile('svc', text, '/etc/zinit/svc.yaml').errors;
}

/** The errors of a file that must fail, checked to be one problem with the given code. */
function refused(text: string, code: ConfigError['code']): ConfigError {
  const errors = parse(text);
  assert.equal(errors.length, 1, JSON.stringify(errors).slice(0, 500));
  const e = errors[0] as ConfigError;
  assert.equal(e.code, code);
  return e;
}

/** Loads a directory holding one file `svc.yaml` with these bytes; its errors. */
async function loadBytes(bytes: Buffer | string): Promise<ConfigError[]> {
  n += 1;
  const dir = path.join(root, `case-${n}`);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'svc.yaml'), bytes);
  const { services, errors } = await loadConfigDir(dir);
  assert.equal(services.size, 0);
  return errors;
}

function timed<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const value = fn();
  return [value, performance.now() - t0];
}

void describe('hostile files: size and encoding', () => {
  void test('a file over the size cap is refused with its size and the cap', async () => {
    const errors = await loadBytes(`exec: app\n${'#'.repeat(MAX_FILE_BYTES)}\n`);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.code, 'too-large');
    assert.equal(errors[0]?.message, `the file is 1.0 MiB (${MAX_FILE_BYTES + 11} bytes), over the 1.0 MiB (${MAX_FILE_BYTES} bytes) limit for a service file; a service file holds one service's keys: remove what does not belong there`);
  });

  void test('a file of exactly the cap loads', async () => {
    n += 1;
    const dir = path.join(root, `case-${n}`);
    fs.mkdirSync(dir);
    const head = 'exec: app\n#';
    fs.writeFileSync(path.join(dir, 'svc.yaml'), head + 'x'.repeat(MAX_FILE_BYTES - head.length));
    const { services, errors } = await loadConfigDir(dir);
    assert.deepEqual(errors, []);
    assert.deepEqual(services.get('svc')?.argv, ['app']);
  });

  void test('invalid UTF-8 is reported at its line and column, with the byte', async () => {
    const errors = await loadBytes(Buffer.concat([Buffer.from('exec: app\nenv: {A: caf'), Buffer.from([0xe9]), Buffer.from('}\n')]));
    assert.deepEqual(
      errors.map((e) => [e.code, e.line, e.column, e.message]),
      [['not-utf8', 2, 13, 'the file is not valid UTF-8 text (byte 0xE9 at byte offset 22); save it as UTF-8, or move it out of the config directory if it is not a service file']],
    );
  });

  void test('overlong forms and UTF-16 surrogates written as UTF-8 are not UTF-8', async () => {
    for (const bad of [[0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xff]]) {
      const errors = await loadBytes(Buffer.concat([Buffer.from('exec: '), Buffer.from(bad)]));
      assert.deepEqual(errors.map((e) => [e.code, e.line, e.column]), [['not-utf8', 1, 7]], `bytes ${bad.join(',')}`);
    }
  });

  void test('a NUL byte or a control character marks a binary file', async () => {
    const nul = await loadBytes('exec: app\nenv: {A: "x\0y"}\n');
    assert.deepEqual(nul.map((e) => [e.code, e.line, e.column]), [['binary', 2, 12]]);
    assert.match(nul[0]?.message ?? '', /^the file contains a NUL byte, which YAML text never holds \(is this a binary file\?\)/);
    const bell = await loadBytes('exec: app\x07\n');
    assert.match(bell[0]?.message ?? '', /the control character 0x07/);
  });

  void test('random bytes are reported, never thrown', async () => {
    let seed = 7;
    const bytes = Buffer.alloc(64 * 1024, 0);
    for (let i = 0; i < bytes.length; i += 1) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      bytes[i] = seed >> 16;
    }
    const errors = await loadBytes(bytes);
    assert.equal(errors.length, 1);
    assert.ok(errors[0]?.code === 'not-utf8' || errors[0]?.code === 'binary');
  });

  void test('a UTF-8 byte order mark is fine', async () => {
    n += 1;
    const dir = path.join(root, `case-${n}`);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'svc.yaml'), '\ufeffexec: app\n');
    const { services, errors } = await loadConfigDir(dir);
    assert.deepEqual(errors, []);
    assert.deepEqual(services.get('svc')?.argv, ['app']);
  });
});

void describe('hostile files: nesting', () => {
  // The root mapping is level 1, env's list level 2.
  const nested = (depth: number): string => `exec: app\nenv: ${'['.repeat(depth - 1)}1${']'.repeat(depth - 1)}\n`;

  void test(`nesting up to ${MAX_DEPTH} levels parses; one more is refused at the level past the limit`, () => {
    const ok = parse(nested(MAX_DEPTH));
    assert.deepEqual(ok.map((e) => [e.code, e.message.slice(0, 20)]), [[undefined, 'env must be a mappin']]);
    // One past: found in the parsed tree. Two past: the flow brackets alone pass the limit, found before parsing.
    const tree = refused(nested(MAX_DEPTH + 1), 'too-deep');
    assert.deepEqual([tree.line, tree.column], [2, 6 + MAX_DEPTH - 1]);
    assert.equal(tree.message, `lists and mappings are nested more than ${MAX_DEPTH} levels deep here; a service file needs only a few (e.g. env: {A: "1"}): flatten it`);
    const early = refused(nested(MAX_DEPTH + 2), 'too-deep');
    assert.deepEqual([early.line, early.column, early.message], [2, 6 + MAX_DEPTH, tree.message]);
  });

  void test('block nesting past the limit is refused from the parsed tree', () => {
    const lines = ['exec: app', 'env:'];
    for (let i = 1; i <= MAX_DEPTH; i += 1) lines.push(`${' '.repeat(i)}k${i}:`);
    lines.push(`${' '.repeat(MAX_DEPTH + 1)}v: 1`);
    const e = refused(`${lines.join('\n')}\n`, 'too-deep');
    assert.ok(e.line > 2 && e.column > 1);
  });

  for (const [kind, text] of [
    ['flow lists 100k deep', `exec: app\nenv: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`],
    ['flow mappings 100k deep', `exec: app\nenv: ${'{a: '.repeat(100_000)}1${'}'.repeat(100_000)}\n`],
    ['unclosed lists 500k deep', `exec: app\nafter: ${'['.repeat(500_000)}\n`],
    ['compact block lists 200k deep', `${'- '.repeat(200_000)}x\n`],
    ['explicit keys 100k deep', `${'? '.repeat(100_000)}x\n`],
    ['lines indented 1400 deep', Array.from({ length: 1400 }, (_, i) => `${' '.repeat(i)}a:`).join('\n')],
    ['lists hidden between quoted closers', `exec: app\nenv: ${'["]", '.repeat(20_000)}1${']'.repeat(20_000)}\n`],
  ] as const) {
    void test(`${kind}: refused before parsing, without a stack overflow, in well under a second`, () => {
      const [errors, ms] = timed(() => parse(text));
      assert.equal(errors.length, 1, JSON.stringify(errors).slice(0, 300));
      assert.equal(errors[0]?.code, 'too-deep');
      assert.ok((errors[0]?.line ?? 0) > 0, 'located');
      assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms`);
    });
  }

  void test('brackets in quotes, comments and block scalars do not count as nesting', () => {
    const text = `exec: sh -c "echo ${'['.repeat(100)}"\n# ${'{'.repeat(100)}\ntest: |\n  ${'['.repeat(100)}\n`;
    assert.deepEqual(parse(text), []);
  });
});

void describe('hostile files: aliases', () => {
  void test(`${MAX_ALIASES} aliases are fine; one more is refused at that alias`, () => {
    const after = (k: number): string => `exec: &x app\nafter: [${Array(k).fill('*x').join(', ')}]\n`;
    const ok = parseServiceFile('svc', after(MAX_ALIASES), 'f');
    assert.deepEqual([ok.errors, ok.config?.after], [[], ['app']]);
    const e = refused(after(MAX_ALIASES + 1), 'too-many-aliases');
    assert.deepEqual([e.line, e.column], [2, 9 + 4 * MAX_ALIASES]);
    assert.equal(e.message, `more than ${MAX_ALIASES} aliases (*name) in one file; write the values out, or use fewer aliases`);
  });

  void test('a billion laughs is refused at once', () => {
    let text = `exec: app\nl0: &l0 [${Array(9).fill('"lol"').join(', ')}]\n`;
    for (let i = 1; i <= 9; i += 1) text += `l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(', ')}]\n`;
    const [errors, ms] = timed(() => parse(text));
    assert.deepEqual(errors.map((e) => e.code), ['too-many-aliases']);
    assert.ok(ms < 200, `took ${ms.toFixed(0)} ms`);
  });

  void test('a few aliases of a big mapping are read once each, never expanded further', () => {
    const vars = Array.from({ length: 5000 }, (_, i) => `  V${i}: "${i}"`).join('\n');
    const text = `x: &m\n${vars}\nexec: app\nenv: *m\ntest: *m\npost_stop: *m\n`;
    const [result, ms] = timed(() => parseServiceFile('svc', text, '/etc/zinit/svc.yaml'));
    // A value read through an alias is reported where its anchor is.
    assert.deepEqual(result.errors.map((e) => [e.line, e.message.slice(0, 30)]), [
      [2, 'test must be a command line on'],
      [2, 'post_stop must be a command li'],
    ]);
    assert.deepEqual(result.warnings.map((e) => [e.line, e.message.slice(0, 30)]), [[1, 'unknown key "x"; known keys ar']]);
    assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms`);
  });

  void test('an alias inside its own anchor (a cycle) is reported, not followed forever', () => {
    const errors = parse('exec: app\nenv: &e {A: *e}\nafter: &a [*a]\n');
    assert.deepEqual(errors.map((e) => [e.line, e.column, e.message]), [
      [2, 9, 'env.A must be a string, number or boolean, got a mapping'],
      [3, 11, 'after must list service names, got a list in the list'],
    ]);
  });

  void test('an alias takes the last anchor of its name before it', () => {
    const { config, errors } = parseServiceFile('svc', 'exec: &c one\ntest: *c\npost_stop: &c two\ndir: /\nenv: {A: *c}\n', 'f');
    assert.deepEqual(errors, []);
    assert.deepEqual([config?.testArgv, config?.postStopArgv, config?.env], [['one'], ['two'], { A: 'two' }]);
  });
});

void describe('hostile files: keys', () => {
  void test('duplicate keys are found in every mapping, each at its second occurrence', () => {
    const errors = parse('exec: a\nenv: {A: 1, B: 2, A: 3}\nsignal:\n  stop: TERM\n  stop: INT\nexec: b\n');
    assert.deepEqual(
      errors.map((e) => [e.code, e.line, e.column]),
      [['duplicate-key', 2, 19], ['duplicate-key', 5, 3], ['duplicate-key', 6, 1]],
    );
    assert.ok(errors.every((e) => e.message === 'this key appears twice in the file; keep only one'));
  });

  void test('keys equal in value are the same key, as YAML compares them; different types are not', () => {
    assert.deepEqual(parse('exec: a\nenv: {1: x, 1.0: y}\n').map((e) => e.code), ['duplicate-key']);
    assert.deepEqual(parse('exec: a\nenv: {1: x, "1": y}\n'), []);
  });

  void test(`a file of 50k unknown keys warns of ${MAX_ERRORS_PER_FILE} and counts the rest`, () => {
    const text = Array.from({ length: 50_000 }, (_, i) => `unknown_${i}: 1`).join('\n');
    const [{ errors, warnings }, ms] = timed(() => parseServiceFile('svc', text, '/etc/zinit/svc.yaml'));
    assert.deepEqual(errors.map((e) => e.message.slice(0, 16)), ['exec is required']);
    assert.equal(warnings.length, MAX_ERRORS_PER_FILE + 1);
    const last = warnings.at(-1);
    assert.equal(last?.code, 'too-many-warnings');
    assert.equal(last?.message, `${50_000 - MAX_ERRORS_PER_FILE} more warning(s) in this file not shown; fix the ones above, then run zinit-ts check again`);
    assert.ok(warnings.slice(0, -1).every((w) => w.code === 'unknown-key'));
    assert.ok(ms < 3000, `took ${ms.toFixed(0)} ms`);
  });

  void test('a key of 900 KB gets a short message and no costly hint', () => {
    const [errors, ms] = timed(() => parse(`exec: app\n${'k'.repeat(900_000)}x: 1\n`));
    assert.equal(errors.length, 1);
    assert.ok((errors[0]?.message.length ?? 0) < 500, 'message cut');
    assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms`);
  });

  // Eight times the keys: linear parsing takes some 8–12× as long (garbage collection grows with the
  // heap), a quadratic duplicate check 64×. The bound sits between, far from both.
  void test('parse time is linear in the number of keys: 40k keys within 24× of 5k', () => {
    const small = manyKeysFile(5_000);
    const large = manyKeysFile(40_000);
    // The best of a few runs, on a shared machine; the first run of each warms the code up.
    const best = (text: string, runs: number): number => {
      let min = Number.POSITIVE_INFINITY;
      for (let i = 0; i <= runs; i += 1) {
        const [r, ms] = timed(() => parseServiceFile('big', text, 'f'));
        assert.deepEqual(r.errors, []);
        if (i > 0) min = Math.min(min, ms);
      }
      return min;
    };
    const t5 = best(small, 5);
    const t40 = best(large, 3);
    assert.ok(t40 < 24 * t5, `40k keys took ${t40.toFixed(0)} ms, 5k took ${t5.toFixed(0)} ms (${(t40 / t5).toFixed(1)}×)`);
  });
});
