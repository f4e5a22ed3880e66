// The loader process gives what loadConfigDir gives, errors and rejections included.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfigDir } from '../../../src/config/load-dir.js';
import { resolveIdentity } from '../../../src/os/identity.js';
import { loadConfigDirIsolated } from '../../../src/os/load-config-isolated.js';
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
