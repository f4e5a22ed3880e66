// The loader process gives what loadConfigDir and loadServiceFile give, errors and rejections included.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfigDir, loadServiceFile } from '../../../src/config/load-dir.js';
import { resolveIdentity } from '../../../src/os/identity.js';
import { loadConfigDirIsolated, loadServiceFileIsolated, MAX_LOADERS, readDocumentIsolated } from '../../../src/os/load-config-isolated.js';
import { within } from './bounded.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zinit-isolated-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

void describe('loadConfigDirIsolated', () => {
  void test('the same services and errors as loading in this thread', async () => {
    fs.writeFileSync(path.join(dir, 'a.yaml'), 'exec: app --flag\nuser: nobody\npass_env: [X]\nenv: {__proto__: kept, B: "2"}\n');
    fs.writeFileSync(path.join(dir, 'b.yaml'), 'exec: b\nafter: [a]\nbogus: 1\n');
    fs.writeFileSync(path.join(dir, 'c.yaml'), Buffer.from([0x65, 0xff]));
    fs.mkdirSync(path.join(dir, 'd.yaml'));
    const here = await loadConfigDir(dir, resolveIdentity);
    const there = await within(loadConfigDirIsolated(dir), 10_000, 'the loader');
    assert.deepEqual(there, here);
    assert.deepEqual([...there.services.keys()], ['a']);
    assert.equal(Object.getOwnPropertyDescriptor(there.services.get('a')?.env, '__proto__')?.value, 'kept');
    assert.deepEqual(there.errors.map((e) => e.service), ['b', 'c', 'd']);
  });

  void test('a directory that cannot be read rejects with the same message', async () => {
    const missing = path.join(dir, 'missing');
    await assert.rejects(within(loadConfigDirIsolated(missing), 10_000, 'the loader'), { message: `config directory ${missing} does not exist; create it or pass -c DIR` });
  });
});

void describe('loadServiceFileIsolated', () => {
  const one = fs.mkdtempSync(path.join(os.tmpdir(), 'zinit-isolated-one-'));
  after(() => fs.rmSync(one, { recursive: true, force: true }));

  void test('the same config or errors as loading the one service in this thread', async () => {
    fs.writeFileSync(path.join(one, 'web.yaml'), 'exec: web --port 80\nafter: [db]\n');
    fs.writeFileSync(path.join(one, 'bad.yaml'), 'exec: b\nbogus: 1\n');
    fs.writeFileSync(path.join(one, 'twice.yaml'), 'exec: a\n');
    fs.writeFileSync(path.join(one, 'twice.yml'), 'exec: b\n');
    for (const name of ['web', 'bad', 'twice', 'absent', '../outside']) {
      const here = await loadServiceFile(one, name, resolveIdentity);
      const there = await within(loadServiceFileIsolated(one, name), 10_000, 'the loader');
      assert.deepEqual(there, here, name);
    }
    const web = await loadServiceFileIsolated(one, 'web');
    assert.deepEqual(web.config?.after, ['db']);
  });
});

void describe('loaders at once', () => {
  const many = fs.mkdtempSync(path.join(os.tmpdir(), 'zinit-isolated-many-'));
  after(() => fs.rmSync(many, { recursive: true, force: true }));

  /** Live loader processes whose parent is this one. */
  function loaders(): number {
    const kids = fs.readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    return kids.filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('config-load-child.js');
      } catch {
        return false;
      }
    }).length;
  }

  void test(`at most ${MAX_LOADERS} loaders run at once however many tasks are asked for; every task is answered`, async () => {
    fs.writeFileSync(path.join(many, 'svc.yaml'), 'exec: svc\n');
    let peak = 0;
    let done = false;
    const watch = (async () => {
      while (!done) {
        peak = Math.max(peak, loaders());
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const answers = await within(Promise.all(Array.from({ length: 4 * MAX_LOADERS }, () => readDocumentIsolated(path.join(many, 'svc.yaml')))), 60_000, 'every task');
    done = true;
    await watch;
    assert.ok(answers.every((a) => a.kind === 'content'));
    assert.ok(peak >= 2, `tasks ran side by side (peak ${peak}): the watch sees loaders`);
    assert.ok(peak <= MAX_LOADERS, `peak ${peak} loaders`);
  });
});
