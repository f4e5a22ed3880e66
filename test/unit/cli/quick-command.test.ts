// The plain forms of list and status are recognised; everything else is left to commander.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuickCommand } from '../../../src/cli/quick-command.js';

test('list and status with or without --json, the socket given any way commander takes it', () => {
  assert.deepEqual(parseQuickCommand(['list']), { command: 'list', socket: undefined, json: false });
  assert.deepEqual(parseQuickCommand(['list', '--json']), { command: 'list', socket: undefined, json: true });
  assert.deepEqual(parseQuickCommand(['-s', '/run/z.sock', 'status', 'web']), { command: 'status', socket: '/run/z.sock', name: 'web', json: false });
  assert.deepEqual(parseQuickCommand(['--socket', '/a', 'status', 'web', '--json']), { command: 'status', socket: '/a', name: 'web', json: true });
  assert.deepEqual(parseQuickCommand(['--socket=/a', '-s', '/b', 'list']), { command: 'list', socket: '/b', json: false });
});

test('no command at all is list, as with zinit; -d/--debug among the global options changes nothing for them', () => {
  assert.deepEqual(parseQuickCommand([]), { command: 'list', socket: undefined, json: false });
  assert.deepEqual(parseQuickCommand(['-s', '/a']), { command: 'list', socket: '/a', json: false });
  assert.deepEqual(parseQuickCommand(['-d']), { command: 'list', socket: undefined, json: false });
  assert.deepEqual(parseQuickCommand(['--debug', '-s', '/a', 'status', 'web']), { command: 'status', socket: '/a', name: 'web', json: false });
  assert.deepEqual(parseQuickCommand(['-s', '/a', '-d', 'list', '--json']), { command: 'list', socket: '/a', json: true });
});

test('anything else goes to commander: help, version, typos, other commands, extra or odd arguments', () => {
  for (const argv of [
    ['-h'],
    ['--help'],
    ['-V'],
    ['list', '--help'],
    ['list', '-h'],
    ['list', 'extra'],
    ['list', '--json', '--json'],
    ['lis'],
    ['status'],
    ['status', '--json'],
    ['status', '--json', 'web'],
    ['status', 'web', 'db'],
    ['status', '-x'],
    ['status', '--', 'web'],
    ['-s'],
    ['-s', '--', 'list'],
    ['-s', '', 'list'],
    ['--socket=', 'list'],
    ['-s/run/z.sock', 'list'],
    ['--sock', '/a', 'list'],
    ['start', 'web'],
    ['init'],
    ['list', '-s', '/a'],
    ['list', '-d'],
    ['list', '--yaml'],
    ['status', 'web', '--yaml'],
    ['-ds', '/a', 'list'],
    ['-s', '/a', '-s'],
  ]) {
    assert.equal(parseQuickCommand(argv), null, JSON.stringify(argv));
  }
});
