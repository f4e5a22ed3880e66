// koffi opened without Node's CommonJS loader: the prebuilt binary directly, koffi's own loader where that cannot be.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { openKoffi, prebuiltBinaryPath } from '../../../src/os/koffi-native.js';

const moduleUrl = new URL('../../../src/os/koffi-native.js', import.meta.url).href;

/** In a bare ES-module process: what was opened, whether libc answers through it, and what the CommonJS loader holds. */
function inBareProcess(platformExpr: string): { direct: boolean; why?: string; pid: number; cjs: string[] } {
  const script = `
    import { createRequire } from 'node:module';
    const { openKoffi, thisPlatform } = await import(${JSON.stringify(moduleUrl)});
    const opened = openKoffi(${platformExpr});
    const lib = opened.koffi.load('libc.so.6');
    const pid = lib.func('int getpid(void)')();
    const cjs = Object.keys(createRequire(import.meta.url).cache);
    console.log(JSON.stringify({ direct: opened.direct, why: opened.why, pid, cjs }));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as { direct: boolean; why?: string; pid: number; cjs: string[] };
}

test('on Linux the prebuilt binary is opened directly and the CommonJS loader never runs', () => {
  const r = inBareProcess('thisPlatform()');
  assert.equal(r.direct, true, r.why);
  assert.ok(r.pid > 1, 'libc answers through it');
  assert.deepEqual(r.cjs, [], 'no module went through require');
});

test('where there is no prebuilt binary to open, koffi comes from its own loader (control: require runs)', () => {
  const r = inBareProcess("{ platform: 'linux', arch: 'nonesuch', musl: false }");
  assert.equal(r.direct, false);
  assert.match(r.why ?? '', /koffi-linux-nonesuch|Cannot find|not found/i);
  assert.ok(r.pid > 1);
  assert.ok(r.cjs.some((f) => f.includes('koffi')), `the loader holds koffi's files: ${r.cjs.join(', ')}`);
});

test('the binary for each libc, and none off Linux', () => {
  assert.deepEqual(prebuiltBinaryPath({ platform: 'linux', arch: 'x64', musl: false }), { pkg: '@koromix/koffi-linux-x64', file: 'linux_x64/koffi.node' });
  assert.deepEqual(prebuiltBinaryPath({ platform: 'linux', arch: 'arm64', musl: true }), { pkg: '@koromix/koffi-linux-arm64', file: 'musl_arm64/koffi.node' });
  assert.equal(prebuiltBinaryPath({ platform: 'freebsd', arch: 'x64', musl: false }), null);
  assert.equal(openKoffi().direct, true);
});
