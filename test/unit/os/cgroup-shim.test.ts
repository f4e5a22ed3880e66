// The cgroup shim's command line and commandProblem's reading of PATH, without running anything.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CgroupError } from '../../../src/errors/cgroup-errors.js';
import { commandProblem, containedArgv, findSetpriv, type ContainedRequest } from '../../../src/os/cgroup-shim.js';

const base: ContainedRequest = { procsFile: '/cg/leaf/cgroup.procs', argv: ['/bin/prog', 'a b', ''], env: { PATH: '/bin' }, uid: null, gid: null, setpriv: null };

void describe('containedArgv', () => {
  void test('sh with an empty environment moves itself, then env -i runs the program with the exact environment', () => {
    const c = containedArgv({ ...base, env: { PATH: '/bin', 'a-b': '1', IFS: 'x' } });
    assert.equal(c.file, '/bin/sh');
    assert.deepEqual(c.env, {});
    assert.deepEqual(c.args, [
      '-c',
      'echo $$ > "$0" || exit 125; exec "$@"',
      '/cg/leaf/cgroup.procs',
      '/usr/bin/env',
      '-i',
      '--',
      'PATH=/bin',
      'a-b=1',
      'IFS=x',
      '/bin/prog',
      'a b',
      '',
    ]);
  });

  void test('a uid and gid go through setpriv, which drops them with the groups before env runs', () => {
    const c = containedArgv({ ...base, uid: 65534, gid: 65533, setpriv: '/usr/bin/setpriv' });
    assert.deepEqual(c.args.slice(3, 12), ['/usr/bin/setpriv', '--reuid=65534', '--regid=65533', '--clear-groups', '--', '/usr/bin/env', '-i', '--', 'PATH=/bin']);
  });

  void test('a gid alone is dropped alone, groups still cleared', () => {
    const c = containedArgv({ ...base, gid: 5, setpriv: '/sp' });
    assert.deepEqual(c.args.slice(3, 7), ['/sp', '--regid=5', '--clear-groups', '--']);
  });

  void test('a uid without setpriv is a CgroupError saying what to do', () => {
    assert.throws(
      () => containedArgv({ ...base, uid: 1000 }),
      (err: unknown) => err instanceof CgroupError && err.code === 'CGROUP_UNAVAILABLE' && /install util-linux or run with --cgroup off/.test(err.message),
    );
  });

  void test('a program name env would misread (= or a lone -) is refused with a CgroupError', () => {
    for (const argv0 of ['./a=b', 'a=b', '-']) {
      assert.throws(
        () => containedArgv({ ...base, argv: [argv0] }),
        (err: unknown) => err instanceof CgroupError && err.code === 'CGROUP_UNAVAILABLE' && err.message.includes('--cgroup off'),
        argv0,
      );
    }
  });

  void test('an empty environment stays empty: no assignment at all', () => {
    const c = containedArgv({ ...base, env: {}, argv: ['/bin/true'] });
    assert.deepEqual(c.args.slice(3), ['/usr/bin/env', '-i', '--', '/bin/true']);
  });

  void test('a name without PATH keeps its spelling where both default searches find the same file', () => {
    // /bin/sh and /usr/bin/sh are one file on a merged-/usr system; else libuv's pick (/usr/bin first) is passed.
    const c = containedArgv({ ...base, env: {}, argv: ['sh'] });
    const merged = fs.existsSync('/usr/bin/sh') && fs.existsSync('/bin/sh') && fs.statSync('/usr/bin/sh').ino === fs.statSync('/bin/sh').ino;
    assert.equal(c.args.at(-1), merged ? 'sh' : '/usr/bin/sh');
  });

  void test('a __proto__ variable is passed like any other', () => {
    const env = JSON.parse('{"__proto__":"p","x.y":"line1\\nline2"}') as Record<string, string>;
    const c = containedArgv({ ...base, env });
    assert.deepEqual(c.args.slice(6, 8), ['__proto__=p', 'x.y=line1\nline2']);
  });
});

void describe('findSetpriv', () => {
  void test('an absolute path to an executable, or null', () => {
    const found = findSetpriv();
    if (found !== null) {
      assert.ok(path.isAbsolute(found));
      fs.accessSync(found, fs.constants.X_OK);
    }
  });
});

void describe('commandProblem', () => {
  let dir: string;
  let first: string;
  let second: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zinit-cmdproblem-'));
    first = path.join(dir, 'first');
    second = path.join(dir, 'second');
    fs.mkdirSync(first);
    fs.mkdirSync(second);
    fs.writeFileSync(path.join(first, 'noexec'), '#!/bin/sh\n', { mode: 0o644 });
    fs.writeFileSync(path.join(first, 'both'), '#!/bin/sh\n', { mode: 0o644 });
    fs.writeFileSync(path.join(second, 'both'), '#!/bin/sh\n', { mode: 0o755 });
    fs.writeFileSync(path.join(second, 'tool'), '#!/bin/sh\n', { mode: 0o755 });
    fs.mkdirSync(path.join(first, 'adir'));
  });
  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const PATH = (): string => `${first}:${second}`;

  void test('found on PATH: null', () => {
    assert.equal(commandProblem('tool', { PATH: PATH() }), null);
  });

  void test('not executable in one directory but executable in a later one: runnable, as execvp goes on', () => {
    assert.equal(commandProblem('both', { PATH: PATH() }), null);
  });

  void test('nowhere on PATH: 127 with spawnProcess\'s message', () => {
    assert.deepEqual(commandProblem('nosuch', { PATH: PATH() }), { code: 127, message: 'command not found: nosuch (check `exec` and PATH)' });
  });

  void test('only a non-executable file or a directory by that name: 126', () => {
    assert.deepEqual(commandProblem('noexec', { PATH: PATH() }), { code: 126, message: 'permission denied: noexec is not executable' });
    assert.equal(commandProblem('adir', { PATH: PATH() })?.code, 126);
  });

  void test('no PATH: libuv\'s default /usr/bin:/bin is searched', () => {
    assert.equal(commandProblem('sh', {}), null);
    assert.equal(commandProblem('tool', {})?.code, 127);
  });

  void test('an empty PATH entry is the working directory', () => {
    assert.equal(commandProblem('tool', { PATH: ':/nonexistent' }, second), null);
    assert.equal(commandProblem('tool', { PATH: '/nonexistent' }, second)?.code, 127);
  });

  void test('a name with a slash is taken as a path from the working directory', () => {
    assert.equal(commandProblem('./tool', {}, second), null);
    assert.equal(commandProblem(path.join(second, 'tool'), {}), null);
    assert.equal(commandProblem('./tool', {}, first)?.code, 127);
    assert.equal(commandProblem(path.join(first, 'noexec'), {})?.code, 126);
    assert.equal(commandProblem(path.join(first, 'noexec', 'x'), {})?.code, 126, 'ENOTDIR, which spawn reports as 126');
  });
});
