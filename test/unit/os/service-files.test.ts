// The config directory's files for create, get and delete: written whole under their name, never over another, read and checked in the loader.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigDirFiles } from '../../../src/os/service-files.js';
import { within } from './bounded.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'zinit-files-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

function freshDir(): string {
  return fs.mkdtempSync(path.join(root, 'conf-'));
}

void describe('ConfigDirFiles', () => {
  void test('create writes <name>.yaml whole and leaves no temporary file; it never writes over a file', async () => {
    const dir = freshDir();
    const files = new ConfigDirFiles(dir);
    assert.equal(await files.exists('web'), false);
    assert.deepEqual(await files.create('web', 'exec: web\n'), { kind: 'created' });
    assert.equal(fs.readFileSync(path.join(dir, 'web.yaml'), 'utf8'), 'exec: web\n');
    assert.equal(await files.exists('web'), true);
    assert.deepEqual(await files.create('web', 'exec: other\n'), { kind: 'exists' });
    assert.equal(fs.readFileSync(path.join(dir, 'web.yaml'), 'utf8'), 'exec: web\n');
    fs.writeFileSync(path.join(dir, 'db.yml'), 'exec: db\n');
    assert.deepEqual(await files.create('db', 'exec: x\n'), { kind: 'exists' }, 'a .yml file holds the name too');
    fs.symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'dangling.yaml'));
    assert.deepEqual(await files.create('dangling', 'exec: x\n'), { kind: 'exists' }, 'so does a dangling link');
    assert.deepEqual(fs.readdirSync(dir).sort(), ['dangling.yaml', 'db.yml', 'web.yaml']);
  });

  void test('creates racing for one name: exactly one wins, the file is whole', async () => {
    const dir = freshDir();
    const files = new ConfigDirFiles(dir);
    const texts = Array.from({ length: 8 }, (_, i) => `exec: writer-${i}\n${'# padding\n'.repeat(2000)}`);
    const outcomes = await Promise.all(texts.map((t) => files.create('race', t)));
    assert.equal(outcomes.filter((o) => o.kind === 'created').length, 1, JSON.stringify(outcomes));
    assert.ok(outcomes.every((o) => o.kind === 'created' || o.kind === 'exists'));
    assert.ok(texts.includes(fs.readFileSync(path.join(dir, 'race.yaml'), 'utf8')));
    assert.deepEqual(fs.readdirSync(dir), ['race.yaml']);
  });

  void test('a directory that cannot take the file is a failure that says why', async () => {
    const missing = new ConfigDirFiles(path.join(root, 'does-not-exist'));
    const r = await missing.create('web', 'exec: web\n');
    assert.equal(r.kind, 'failed');
    assert.match(r.kind === 'failed' ? r.detail : '', /the config directory does not exist/);
  });

  void test('remove deletes the file of the name (.yaml first), then says missing', async () => {
    const dir = freshDir();
    const files = new ConfigDirFiles(dir);
    fs.writeFileSync(path.join(dir, 'a.yml'), 'exec: a\n');
    assert.deepEqual(await files.remove('a'), { kind: 'removed' });
    assert.deepEqual(await files.remove('a'), { kind: 'missing' });
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  void test('read gives the file as JSON through the loader; render checks content there', async () => {
    const dir = freshDir();
    const files = new ConfigDirFiles(dir);
    fs.writeFileSync(path.join(dir, 'web.yaml'), 'exec: web --port 80\nafter: [db]\n');
    assert.deepEqual(await within(files.read('web'), 10_000, 'the loader'), { kind: 'content', value: { exec: 'web --port 80', after: ['db'] } });
    assert.deepEqual(await files.read('absent'), { kind: 'missing' });
    const good = await within(files.render('api', { exec: 'api', after: ['web'] }), 10_000, 'the loader');
    assert.deepEqual(good.errors, []);
    assert.match(good.text, /^exec: api\nafter:\n {2}- web\n$/);
    const bad = await within(files.render('api', { exec: 'api', restart: 'sometimes' }), 10_000, 'the loader');
    assert.equal(bad.errors.length, 1);
    assert.equal(bad.errors[0]?.file, path.join(dir, 'api.yaml'), 'placed in the file it would be');
    assert.match(bad.errors[0]?.message ?? '', /restart/);
  });
});
