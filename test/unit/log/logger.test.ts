// The manager's logger: text and JSON lines on a stream, level filtering, and the test doubles.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { createLogger, createNullLogger, MemoryLogger, type LogFields } from '../../../src/log/logger.js';
import { repoRoot } from '../../helpers/paths.js';
import { waitFor } from '../../helpers/wait-for.js';

const T0 = Date.parse('2026-11-21T23:18:12.345Z');

function capture(): { stream: PassThrough; lines: () => string[] } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return { stream, lines: () => text.split('\n').filter((l) => l !== '') };
}

void describe('createLogger text format', () => {
  void test('renders time, padded level, message and key=value fields, quoting values with spaces', async () => {
    const out = capture();
    const log = createLogger({ format: 'text', stream: out.stream, now: () => T0 });
    log.info('service started', { name: 'web', pid: 42 });
    log.warn('stop took long', { cmd: 'sh -c "sleep 1"', ok: false, gone: undefined, empty: '' });
    log.error('spawn failed', { err: new Error('ENOENT: no such file'), after: ['db', 'cache'] });
    await waitFor(() => out.lines().length === 3, 2000, 'three lines');
    assert.deepEqual(out.lines(), [
      '2026-11-21T23:18:12.345Z info  service started name=web pid=42',
      '2026-11-21T23:18:12.345Z warn  stop took long cmd="sh -c \\"sleep 1\\"" ok=false empty=""',
      '2026-11-21T23:18:12.345Z error spawn failed err="ENOENT: no such file" after=["db","cache"]',
    ]);
  });

  void test('an entry is always one line', async () => {
    const out = capture();
    const log = createLogger({ format: 'text', stream: out.stream, now: () => T0 });
    log.info('first\nsecond', { text: 'a\nb' });
    await waitFor(() => out.lines().length === 1, 2000, 'one line');
    assert.equal(out.lines()[0], '2026-11-21T23:18:12.345Z info  first\\nsecond text="a\\nb"');
  });

  void test('level filtering: info by default, debug when asked', async () => {
    const out = capture();
    const quiet = createLogger({ format: 'text', stream: out.stream, now: () => T0 });
    quiet.debug('hidden');
    quiet.info('shown');
    const verbose = createLogger({ format: 'text', level: 'debug', stream: out.stream, now: () => T0 });
    verbose.debug('now shown');
    const terse = createLogger({ format: 'text', level: 'error', stream: out.stream, now: () => T0 });
    terse.warn('hidden too');
    terse.error('bad');
    await waitFor(() => out.lines().length === 3, 2000, 'three lines');
    assert.deepEqual(
      out.lines().map((l) => l.slice(25)),
      ['info  shown', 'debug now shown', 'error bad'],
    );
  });

  void test('rejects an unknown level or format with the accepted values', () => {
    assert.throws(() => createLogger({ format: 'text', level: 'verbose' }), /one of debug, info, warn, error, got "verbose"/);
    assert.throws(() => createLogger({ format: 'xml' as 'text' }), /"text" or "json"/);
  });
});

void describe('createLogger when the destination breaks', () => {
  void test('a destroyed stream costs the log lines, not the process', async () => {
    const out = capture();
    const log = createLogger({ format: 'text', stream: out.stream, now: () => T0 });
    log.info('before');
    await waitFor(() => out.lines().length === 1, 2000, 'first line');
    // No listener of our own: were the logger not to handle it, this error would be uncaught.
    out.stream.destroy(new Error('EPIPE'));
    await waitFor(() => out.stream.closed, 2000, 'stream closed');
    log.error('after', { lost: true });
    log.info('and again');
    assert.deepEqual(out.lines().map((l) => l.slice(25)), ['info  before']);
  });
});

void describe('createLogger json format', () => {
  void test('one parseable object per line with timestamp, level, message and fields', async () => {
    const out = capture();
    const log = createLogger({ format: 'json', level: 'debug', stream: out.stream, now: () => T0 });
    log.info('service started', { name: 'web', pid: 42, tags: { a: 1 } });
    log.debug('plain');
    log.error('clash', { message: 'inner', level: 7, err: new Error('boom') });
    await waitFor(() => out.lines().length === 3, 2000, 'three lines');
    const parsed = out.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(parsed, [
      { timestamp: '2026-11-21T23:18:12.345Z', level: 'info', message: 'service started', name: 'web', pid: 42, tags: { a: 1 } },
      { timestamp: '2026-11-21T23:18:12.345Z', level: 'debug', message: 'plain' },
      {
        timestamp: '2026-11-21T23:18:12.345Z',
        level: 'error',
        message: 'clash',
        field_message: 'inner',
        field_level: 7,
        err: 'boom',
      },
    ]);
  });

  void test('values JSON cannot express do not break logging', async () => {
    const out = capture();
    const log = createLogger({ format: 'json', stream: out.stream, now: () => T0 });
    const cycle: Record<string, unknown> = { name: 'loop' };
    cycle.self = cycle;
    log.info('odd values', { big: 2n ** 70n, cycle });
    await waitFor(() => out.lines().length === 1, 2000, 'one line');
    assert.deepEqual(JSON.parse(out.lines()[0] ?? ''), {
      timestamp: '2026-11-21T23:18:12.345Z',
      level: 'info',
      message: 'odd values',
      big: '1180591620717411303424',
      cycle: { name: 'loop', self: '[Circular]' },
    });
  });
});

void test('writes to stdout by default', () => {
  const moduleUrl = pathToFileURL(path.join(repoRoot, 'dist', 'src', 'log', 'logger.js')).href;
  const script = `import(${JSON.stringify(moduleUrl)}).then(({ createLogger }) => {
    createLogger({ format: 'json' }).warn('to stdout', { n: 1 });
  });`;
  const stdout = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 });
  const entry = JSON.parse(stdout.trim()) as Record<string, unknown>;
  assert.equal(entry.message, 'to stdout');
  assert.equal(entry.level, 'warn');
  assert.equal(entry.n, 1);
});

void describe('test doubles', () => {
  void test('MemoryLogger records level, message and fields', () => {
    const log = new MemoryLogger();
    const fields: LogFields = { name: 'web' };
    log.info('started', fields);
    log.error('failed');
    log.debug('detail');
    log.warn('slow', { ms: 12 });
    assert.deepEqual(log.entries, [
      { level: 'info', msg: 'started', fields: { name: 'web' } },
      { level: 'error', msg: 'failed', fields: {} },
      { level: 'debug', msg: 'detail', fields: {} },
      { level: 'warn', msg: 'slow', fields: { ms: 12 } },
    ]);
    assert.equal(log.find('fail', 'error').length, 1);
    assert.equal(log.find('fail', 'info').length, 0);
    log.clear();
    assert.equal(log.entries.length, 0);
  });

  void test('the null logger accepts everything and keeps nothing', () => {
    const log = createNullLogger();
    for (const level of ['debug', 'info', 'warn', 'error'] as const) {
      assert.equal(log[level]('ignored', { a: 1 }), undefined);
    }
  });
});
