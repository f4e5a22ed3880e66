// loadConfigDir and loadServiceFile on real directories: good files load even beside bad ones.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfigDir, loadServiceFile } from '../../../src/config/load-dir.js';
import { fixture } from '../../helpers/paths.js';
import type { IdentityResolver } from '../../../src/config/types.js';

let root: string;
let n = 0;

before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'zinit-config-'));
});

after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

/** A fresh directory holding `files` (name → content). */
async function dirWith(files: Record<string, string>): Promise<string> {
  n += 1;
  const dir = path.join(root, `case-${n}`);
  await fs.mkdir(dir);
  for (const [name, text] of Object.entries(files)) await fs.writeFile(path.join(dir, name), text);
  return dir;
}

void describe('loadConfigDir', () => {
  void test('loads a directory of zinit files unchanged, ignoring other files', async () => {
    const dir = fixture('config/zinit');
    const { services, errors } = await loadConfigDir(dir);
    assert.deepEqual(errors, []);
    assert.deepEqual([...services.keys()], ['db', 'redis', 'web']);
    const redis = services.get('redis');
    assert.deepEqual(redis?.argv, ['redis-server', '--port', '7777']);
    assert.deepEqual(redis?.after, ['db']);
    assert.equal(redis?.stopSignal, 'SIGINT');
    assert.equal(redis?.source, path.join(dir, 'redis.yaml'));
    assert.equal(services.get('db')?.oneshot, true);
    assert.deepEqual(services.get('db')?.env, { DATA_DIR: '/tmp/db', PORT: '5432' });
    assert.deepEqual(services.get('web')?.after, ['redis']);
    assert.equal(services.get('web')?.source, path.join(dir, 'web.yml'));
  });

  void test('a bad file is reported and left out; the good ones still load, one with an unknown key among them', async () => {
    const dir = await dirWith({
      'a.yaml': 'exec: app-a\n',
      'b.yaml': 'exec: app-b\nafter: [a\n',
      'c.yml': 'exec: app-c\nafter: [a]\n',
      'd.yaml': 'exec: app-d\ndepends_on: [a]\n',
      'e.yaml': '',
    });
    const { services, errors, warnings } = await loadConfigDir(dir);
    assert.deepEqual([...services.keys()], ['a', 'c', 'd']);
    const byFile = new Set(errors.map((e) => path.basename(e.file)));
    assert.deepEqual([...byFile].sort(), ['b.yaml', 'e.yaml']);
    assert.deepEqual(warnings.map((w) => [w.service, w.line, w.column, w.message, w.code]), [['d', 2, 1, 'unknown key "depends_on"; did you mean after?', 'unknown-key']]);
    assert.deepEqual(services.get('d')?.after, [], 'the unknown key has no effect');
    assert.ok(errors.filter((e) => e.service === 'b').every((e) => e.line >= 2 && e.column > 0));
    assert.match(errors.find((e) => e.service === 'e')?.message ?? '', /^exec is required/);
  });

  void test('a.yaml beside a.yml is an error for both, and neither loads', async () => {
    const dir = await dirWith({ 'a.yaml': 'exec: one\n', 'a.yml': 'exec: two\n', 'b.yaml': 'exec: b\n' });
    const { services, errors } = await loadConfigDir(dir);
    assert.deepEqual([...services.keys()], ['b']);
    assert.deepEqual(
      errors.map((e) => [path.basename(e.file), e.service, e.message]),
      [
        ['a.yaml', 'a', 'a.yaml and a.yml both define service "a"; keep only one of them'],
        ['a.yml', 'a', 'a.yaml and a.yml both define service "a"; keep only one of them'],
      ],
    );
  });

  void test('files load in name order and subdirectories are not searched', async () => {
    const dir = await dirWith({ 'zeta.yaml': 'exec: z\n', 'alpha.yml': 'exec: a\n', 'mid.yaml': 'exec: m\n' });
    await fs.mkdir(path.join(dir, 'nested'));
    await fs.writeFile(path.join(dir, 'nested', 'deep.yaml'), 'exec: deep\n');
    const { services, errors } = await loadConfigDir(dir);
    assert.deepEqual(errors, []);
    assert.deepEqual([...services.keys()], ['alpha', 'mid', 'zeta']);
  });

  void test('a directory named like a service file is reported, not skipped in silence', async () => {
    const dir = await dirWith({ 'ok.yaml': 'exec: x\n' });
    await fs.mkdir(path.join(dir, 'folder.yaml'));
    const { services, errors } = await loadConfigDir(dir);
    assert.deepEqual([...services.keys()], ['ok']);
    assert.deepEqual(
      errors.map((e) => [e.service, e.code, e.message]),
      [['folder', 'not-regular-file', 'is a directory, not a regular file; a service file must be a regular file (or a symbolic link to one): move it out of the config directory']],
    );
  });

  void test('symlinked files load (as config-map mounts use them); a dangling link is an error', async () => {
    const target = await dirWith({ 'real.yaml': 'exec: real\n' });
    const dir = await dirWith({});
    await fs.symlink(path.join(target, 'real.yaml'), path.join(dir, 'linked.yaml'));
    await fs.symlink(path.join(target, 'gone.yaml'), path.join(dir, 'dangling.yaml'));
    const { services, errors } = await loadConfigDir(dir);
    assert.deepEqual([...services.keys()], ['linked']);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.service, 'dangling');
    assert.equal(errors[0]?.message, `is a symbolic link to ${path.join(target, 'gone.yaml')}, which does not exist; fix the link or remove it`);
  });

  void test('a file whose stem is not a valid name is refused', async () => {
    const dir = await dirWith({ '.hidden.yaml': 'exec: x\n', 'has space.yaml': 'exec: x\n', 'ok.yaml': 'exec: x\n' });
    const { services, errors } = await loadConfigDir(dir);
    assert.deepEqual([...services.keys()], ['ok']);
    assert.deepEqual(
      errors.map((e) => [e.service, e.line]),
      [
        ['.hidden', 0],
        ['has space', 0],
      ],
    );
    assert.match(errors[0]?.message ?? '', /must not start with "\."; rename the file$/);
  });

  void test('an empty directory has no services and no errors', async () => {
    const { services, errors } = await loadConfigDir(await dirWith({}));
    assert.equal(services.size, 0);
    assert.deepEqual(errors, []);
  });

  void test('the identity resolver is used for every file', async () => {
    const dir = await dirWith({ 'a.yaml': 'exec: a\nuser: app\n', 'b.yaml': 'exec: b\nuser: ghost\n' });
    const resolve: IdentityResolver = (_kind, value) => (value === 'app' ? 1234 : null);
    const { services, errors } = await loadConfigDir(dir, resolve);
    assert.equal(services.get('a')?.uid, 1234);
    assert.deepEqual(
      errors.map((e) => [e.service, e.line, e.column, e.message]),
      [['b', 2, 7, 'user "ghost" does not exist on this system; use an existing name or a numeric id']],
    );
  });

  void test('a missing directory throws an error that says what to do', async () => {
    const missing = path.join(root, 'does-not-exist');
    await assert.rejects(loadConfigDir(missing), { message: `config directory ${missing} does not exist; create it or pass -c DIR` });
  });

  void test('the warnings of a file that fails are kept too', async () => {
    const dir = await dirWith({ 'bad.yaml': 'exce: app\n' });
    const { services, errors, warnings } = await loadConfigDir(dir);
    assert.equal(services.size, 0);
    assert.match(errors[0]?.message ?? '', /^exec is required/);
    assert.deepEqual(warnings.map((w) => w.message), ['unknown key "exce"; did you mean exec?']);
  });

  void test('a file given as the directory throws', async () => {
    const dir = await dirWith({ 'a.yaml': 'exec: a\n' });
    await assert.rejects(loadConfigDir(path.join(dir, 'a.yaml')), { message: /is not a directory; pass -c DIR/ });
  });
});

void describe('loadServiceFile', () => {
  void test('loads one service by name, .yaml or .yml', async () => {
    const dir = await dirWith({ 'a.yaml': 'exec: app-a\n', 'b.yml': 'exec: app-b\n' });
    const a = await loadServiceFile(dir, 'a');
    assert.deepEqual(a.errors, []);
    assert.deepEqual(a.config?.argv, ['app-a']);
    const b = await loadServiceFile(dir, 'b');
    assert.equal(b.config?.source, path.join(dir, 'b.yml'));
  });

  void test('a missing service file is an error naming both file names', async () => {
    const dir = await dirWith({});
    const { config, errors } = await loadServiceFile(dir, 'web');
    assert.equal(config, null);
    assert.deepEqual(
      errors.map((e) => e.message),
      [`no service file for "web" in ${dir} (looked for web.yaml and web.yml); create one first`],
    );
  });

  void test('a file with an unknown key gives its config and the warning', async () => {
    const dir = await dirWith({ 'a.yaml': 'name: a\nexec: app\ndescription: the a service\n' });
    const { config, errors, warnings } = await loadServiceFile(dir, 'a');
    assert.deepEqual(errors, []);
    assert.deepEqual(config?.argv, ['app']);
    assert.deepEqual(warnings.map((w) => [w.file, w.line, w.column, w.code]), [[path.join(dir, 'a.yaml'), 3, 1, 'unknown-key']]);
  });

  void test('a bad file gives its errors and no config', async () => {
    const dir = await dirWith({ 'a.yaml': 'exec: app\nlog: file\n' });
    const { config, errors } = await loadServiceFile(dir, 'a');
    assert.equal(config, null);
    assert.deepEqual(errors.map((e) => [e.line, e.column]), [[2, 6]]);
  });

  void test('both extensions present is an error', async () => {
    const dir = await dirWith({ 'a.yaml': 'exec: one\n', 'a.yml': 'exec: two\n' });
    const { config, errors } = await loadServiceFile(dir, 'a');
    assert.equal(config, null);
    assert.equal(errors.length, 2);
    assert.match(errors[0]?.message ?? '', /both define service "a"/);
  });

  void test('a name that could escape the directory is refused before touching the disk', async () => {
    const dir = await dirWith({});
    await fs.writeFile(path.join(root, 'outside.yaml'), 'exec: x\n');
    const { config, errors } = await loadServiceFile(dir, '../outside');
    assert.equal(config, null);
    assert.match(errors[0]?.message ?? '', /must not contain "\/"/);
  });

  void test('a missing directory is reported in errors', async () => {
    const missing = path.join(root, 'nope');
    const { config, errors } = await loadServiceFile(missing, 'a');
    assert.equal(config, null);
    assert.match(errors[0]?.message ?? '', /^config directory .* does not exist; create it or pass -c DIR$/);
  });
});
