// Which environment file the daemon reads (flag, variable, default) and how a missing, bad or big one is taken.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ENVIRONMENT_FILE, environmentFileFrom, readSystemEnvironment } from '../../../src/os/system-environment.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zinit-sysenv-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

void describe('environmentFileFrom', () => {
  void test('the flag wins over the variable, the variable over /etc/environment; empty reads none', () => {
    assert.equal(environmentFileFrom('/flag/env', { ZINIT_TS_ENVIRONMENT_FILE: '/var/env' }), '/flag/env');
    assert.equal(environmentFileFrom(undefined, { ZINIT_TS_ENVIRONMENT_FILE: '/var/env' }), '/var/env');
    assert.equal(environmentFileFrom(undefined, {}), ENVIRONMENT_FILE);
    assert.equal(ENVIRONMENT_FILE, '/etc/environment');
    assert.equal(environmentFileFrom('', { ZINIT_TS_ENVIRONMENT_FILE: '/var/env' }), null);
    assert.equal(environmentFileFrom(undefined, { ZINIT_TS_ENVIRONMENT_FILE: '' }), null);
  });
});

void describe('readSystemEnvironment', () => {
  void test('a file is read into variables; its skipped lines are problems with their line', async () => {
    const file = path.join(dir, 'environment');
    fs.writeFileSync(file, 'A=1\nnot a line\nB="two words"\n');
    assert.deepEqual(await readSystemEnvironment(file), { file, vars: { A: '1', B: 'two words' }, problems: [`${file}:2: not a NAME=VALUE line, skipped: "not a line"`] });
  });

  void test('a missing file is no variables and no problem', async () => {
    const file = path.join(dir, 'absent');
    assert.deepEqual(await readSystemEnvironment(file), { file, vars: {}, problems: [] });
    assert.deepEqual(await readSystemEnvironment(null), { file: null, vars: {}, problems: [] });
  });

  void test('an oversized file, a directory and a file that is not UTF-8 are problems and no variables', async () => {
    const big = path.join(dir, 'big');
    fs.writeFileSync(big, `A=${'x'.repeat(70 * 1024)}\n`);
    const bigRead = await readSystemEnvironment(big);
    assert.deepEqual(bigRead.vars, {});
    assert.match(bigRead.problems[0] ?? '', /is larger than 64 KiB; no variables taken from it$/);
    const folder = path.join(dir, 'folder');
    fs.mkdirSync(folder);
    assert.match((await readSystemEnvironment(folder)).problems[0] ?? '', /not a regular file; no variables taken from it$/);
    const latin = path.join(dir, 'latin1');
    fs.writeFileSync(latin, Buffer.from([0x41, 0x3d, 0xe9, 0x0a]));
    assert.deepEqual(await readSystemEnvironment(latin), { file: latin, vars: {}, problems: [`${latin}: not valid UTF-8 text; no variables taken from it`] });
  });

  void test('a garbage file reports a bounded number of problems, the rest counted', async () => {
    const file = path.join(dir, 'garbage');
    fs.writeFileSync(file, 'junk\n'.repeat(1000));
    const read = await readSystemEnvironment(file);
    assert.equal(read.problems.length, 21);
    assert.equal(read.problems.at(-1), `${file}: 980 more line(s) skipped`);
  });
});
