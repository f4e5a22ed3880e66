// The cgroup shim with real processes: the program runs in its leaf from its first instruction, with its exact environment, argv, fds, ids and exit status.
import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { CANNOT_ENTER_CGROUP, commandProblem, containedArgv, findSetpriv, type ContainedRequest } from '../../../src/os/cgroup-shim.js';
import { waitFor } from '../../helpers/wait-for.js';
import { cgroupOf, finish, hierarchyPath, makeTestCgroup, procsOf, removeTestCgroups, skipReason, start, UNIFIED } from './test-cgroups.js';

const skip = skipReason();
if (skip !== false) console.log(`# cgroup shim tests skipped: ${skip}`);
const PATH = '/usr/local/bin:/usr/bin:/bin';

function request(leaf: string, argv: string[], env: Record<string, string> = { PATH }): ContainedRequest {
  return { procsFile: path.join(leaf, 'cgroup.procs'), argv, env, uid: null, gid: null, setpriv: null };
}

afterEach(async () => {
  await removeTestCgroups();
});

void describe('containedArgv with real processes', { skip }, () => {
  void test('the program is in the leaf from its first instruction', async () => {
    const leaf = makeTestCgroup();
    const r = await finish(start(containedArgv(request(leaf, ['cat', '/proc/self/cgroup']))));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^0::${hierarchyPath(leaf)}$`, 'm'));
  });

  void test('negative control: a plain spawn of the same program is not in the leaf', async () => {
    const leaf = makeTestCgroup();
    const r = await finish(start({ file: 'cat', args: ['/proc/self/cgroup'], env: { PATH } }));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^0::/m);
    assert.doesNotMatch(r.stdout, new RegExp(`^0::${hierarchyPath(leaf)}$`, 'm'));
    assert.deepEqual(procsOf(leaf), []);
  });

  void test('the pid spawn returns is the program, listed in the leaf', async () => {
    const leaf = makeTestCgroup();
    const child = start(containedArgv(request(leaf, ['sleep', '30'])));
    const pid = child.pid ?? 0;
    assert.ok(pid > 0);
    // The shell writes its pid, then execs: the same pid becomes sleep.
    await waitFor(() => fs.readlinkSync(`/proc/${pid}/exe`).endsWith('/sleep'), 5000, 'the shell to exec sleep');
    assert.deepEqual(procsOf(leaf), [pid]);
    assert.equal(cgroupOf(pid), hierarchyPath(leaf));
    child.kill('SIGKILL');
    const r = await finish(child);
    assert.equal(r.signal, 'SIGKILL');
  });

  void test('the environment is exact: names no shell accepts, IFS, PWD, newlines, empty values, __proto__', async () => {
    const leaf = makeTestCgroup();
    const env = JSON.parse('{"__proto__":"proto"}') as Record<string, string>;
    Object.assign(env, { 'a-b': '1', 'x.y': '2', IFS: 'q', PWD: '/nowhere', NL: 'line1\nline2\n', EMPTY: '', '1x': 'digit', SPACE: ' a  b ' });
    const r = await finish(start(containedArgv(request(leaf, ['/usr/bin/env', '-0'], env))));
    assert.equal(r.code, 0, r.stderr);
    const got = r.stdout.split('\0').filter((e) => e !== '');
    assert.deepEqual(got.sort(), Object.entries(env).map(([k, v]) => `${k}=${v}`).sort());
  });

  void test('an empty environment stays empty', async () => {
    const leaf = makeTestCgroup();
    const r = await finish(start(containedArgv(request(leaf, ['/usr/bin/env', '-0'], {}))));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
  });

  void test('argv is exact, argv[0] as given, looked up in the environment\'s PATH', async () => {
    const leaf = makeTestCgroup();
    const argv = ['cat', '/proc/self/cmdline'];
    const r = await finish(start(containedArgv(request(leaf, argv))));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${argv.join('\0')}\0`);
    const spaced = ['/bin/sh', '-c', 'cat /proc/$$/cmdline', 'zero', 'a b', '', '-x'];
    const s = await finish(start(containedArgv(request(leaf, spaced))));
    assert.equal(s.stdout, `${spaced.join('\0')}\0`);
  });

  void test('without PATH a bare name is found where libuv would find it, argv[0] kept when env finds the same file', async () => {
    const leaf = makeTestCgroup();
    const r = await finish(start(containedArgv(request(leaf, ['cat', '/proc/self/cmdline'], {}))));
    assert.equal(r.code, 0, r.stderr);
    const merged = fs.statSync('/usr/bin/cat').ino === fs.statSync('/bin/cat').ino;
    assert.equal(r.stdout, `${merged ? 'cat' : '/usr/bin/cat'}\0/proc/self/cmdline\0`);
  });

  void test('fd 3 reaches the program', async () => {
    const leaf = makeTestCgroup();
    const child = start(containedArgv(request(leaf, ['/bin/sh', '-c', 'echo through-fd3 >&3'])), ['pipe']);
    const fd3 = child.stdio[3];
    assert.ok(fd3 instanceof Readable);
    let text = '';
    fd3.setEncoding('utf8').on('data', (t: string) => (text += t));
    const r = await finish(child);
    assert.equal(r.code, 0, r.stderr);
    await waitFor(() => text === 'through-fd3\n', 5000, 'the fd 3 text');
  });

  void test('the program\'s own exit status passes through', async () => {
    const leaf = makeTestCgroup();
    const r = await finish(start(containedArgv(request(leaf, ['/bin/sh', '-c', 'exit 7']))));
    assert.equal(r.code, 7);
  });

  void test('125 when the process cannot enter the cgroup, and the program never runs', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zinit-shim-'));
    try {
      const marker = path.join(dir, 'ran');
      const req = request(path.join(UNIFIED, `zinit-ts-test-missing-${process.pid}`), ['/usr/bin/touch', marker]);
      const r = await finish(start(containedArgv(req)));
      assert.equal(r.code, CANNOT_ENTER_CGROUP);
      assert.equal(fs.existsSync(marker), false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  void test('127 for a command not found and 126 for a file that is not executable, as commandProblem predicts', async () => {
    const leaf = makeTestCgroup();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zinit-shim-'));
    try {
      const plain = path.join(dir, 'plain');
      fs.writeFileSync(plain, 'echo hi\n', { mode: 0o644 });
      const missing = await finish(start(containedArgv(request(leaf, ['zinit-ts-no-such-command']))));
      assert.equal(missing.code, 127);
      assert.equal(commandProblem('zinit-ts-no-such-command', { PATH })?.code, 127);
      const denied = await finish(start(containedArgv(request(leaf, [plain]))));
      assert.equal(denied.code, 126);
      assert.equal(commandProblem(plain, { PATH })?.code, 126);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  const setpriv = findSetpriv();
  void test('a uid and gid are dropped after the move: real, effective, saved and fs ids, no groups', { skip: setpriv === null ? 'no setpriv here' : false }, async () => {
    const leaf = makeTestCgroup();
    const req = { ...request(leaf, ['/bin/sh', '-c', 'cat /proc/self/status /proc/self/cgroup']), uid: 65534, gid: 65534, setpriv };
    const r = await finish(start(containedArgv(req)));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Uid:\t65534\t65534\t65534\t65534$/m);
    assert.match(r.stdout, /^Gid:\t65534\t65534\t65534\t65534$/m);
    assert.match(r.stdout, /^Groups:\s*$/m);
    assert.match(r.stdout, new RegExp(`^0::${hierarchyPath(leaf)}$`, 'm'));
  });

  void test('negative control: a process that dropped root cannot move itself into the leaf', async () => {
    const leaf = makeTestCgroup();
    const child = spawn('/bin/sh', ['-c', 'echo $$ > "$0"', path.join(leaf, 'cgroup.procs')], { uid: 65534, gid: 65534, stdio: 'ignore' });
    await waitFor(() => child.exitCode !== null, 5000, 'the unprivileged shell to exit');
    assert.notEqual(child.exitCode, 0);
    assert.deepEqual(procsOf(leaf), []);
  });
});
