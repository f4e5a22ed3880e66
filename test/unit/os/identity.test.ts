// User and group resolution from passwd/group files, the system's and hand-made ones.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { accountOf, primaryGroupOf, resolveIdentity } from '../../../src/os/identity.js';

const etc = fs.mkdtempSync(path.join(os.tmpdir(), 'zinit-etc-'));
fs.writeFileSync(
  path.join(etc, 'passwd'),
  [
    '# comment:x:1:1',
    'root:x:0:0:root:/root:/bin/sh',
    'svc:x:1500:1600:Service:/srv:/usr/sbin/nologin',
    'svc:x:1501:1601:duplicate, ignored:/:/bin/false',
    'broken:x:abc:1:::',
    '',
  ].join('\n'),
);
fs.writeFileSync(path.join(etc, 'group'), ['root:x:0:', 'svcgrp:x:1600:svc', 'wheel:x:10:root,svc'].join('\n'));
const noGroupFile = fs.mkdtempSync(path.join(os.tmpdir(), 'zinit-etc-'));
fs.writeFileSync(path.join(noGroupFile, 'passwd'), 'app:x:42:43::/:/bin/sh\n');

after(() => {
  fs.rmSync(etc, { recursive: true, force: true });
  fs.rmSync(noGroupFile, { recursive: true, force: true });
});

void describe('resolveIdentity', () => {
  void test('names from the files', () => {
    assert.equal(resolveIdentity('user', 'svc', etc), 1500, 'the first entry of a duplicated name wins');
    assert.equal(resolveIdentity('user', 'root', etc), 0);
    assert.equal(resolveIdentity('group', 'svcgrp', etc), 1600);
    assert.equal(resolveIdentity('group', 'wheel', etc), 10);
  });

  void test('numeric strings are ids, listed or not', () => {
    assert.equal(resolveIdentity('user', '1500', etc), 1500);
    assert.equal(resolveIdentity('user', '65534', etc), 65534);
    assert.equal(resolveIdentity('group', '0', etc), 0);
  });

  void test('unknown names, malformed entries and impossible ids are null', () => {
    assert.equal(resolveIdentity('user', 'nobody-here', etc), null);
    assert.equal(resolveIdentity('user', 'broken', etc), null);
    assert.equal(resolveIdentity('user', '# comment', etc), null);
    assert.equal(resolveIdentity('group', 'svc', etc), null, 'a user name is not a group name');
    assert.equal(resolveIdentity('user', '4294967295', etc), null, '(uid_t)-1 is not an id');
    assert.equal(resolveIdentity('user', '-1', etc), null);
  });

  void test('a missing group file resolves no names but still takes numbers', () => {
    assert.equal(resolveIdentity('user', 'app', noGroupFile), 42);
    assert.equal(resolveIdentity('group', 'app', noGroupFile), null);
    assert.equal(resolveIdentity('group', '43', noGroupFile), 43);
  });

  void test('the system files', () => {
    assert.equal(resolveIdentity('user', 'root'), 0);
    assert.equal(resolveIdentity('group', 'root'), 0);
    assert.equal(primaryGroupOf(0), 0);
  });
});

void describe('primaryGroupOf', () => {
  void test('the gid of the first passwd entry with that uid', () => {
    assert.equal(primaryGroupOf(1500, etc), 1600);
    assert.equal(primaryGroupOf(1501, etc), 1601);
    assert.equal(primaryGroupOf(42, noGroupFile), 43);
    assert.equal(primaryGroupOf(9999, etc), null);
  });
});

void describe('accountOf', () => {
  void test('name, home and shell of the first entry of a uid', () => {
    assert.deepEqual(accountOf(1500, etc), { name: 'svc', home: '/srv', shell: '/usr/sbin/nologin' });
    assert.deepEqual(accountOf(0, etc), { name: 'root', home: '/root', shell: '/bin/sh' });
  });

  void test('empty home and shell fields read as / and /bin/sh; an unknown uid has no account', () => {
    const bare = fs.mkdtempSync(path.join(os.tmpdir(), 'zinit-etc-'));
    fs.writeFileSync(path.join(bare, 'passwd'), 'bare:x:44:44:::\n');
    assert.deepEqual(accountOf(44, bare), { name: 'bare', home: '/', shell: '/bin/sh' });
    fs.rmSync(bare, { recursive: true, force: true });
    assert.equal(accountOf(9999, etc), null);
  });

  void test("the system's nobody matches its passwd line", () => {
    const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('nobody:'));
    assert.ok(line, 'this system has a nobody user');
    const [name, , uid, , , home, shell] = line.split(':');
    assert.deepEqual(accountOf(Number(uid)), { name, home, shell });
  });
});
