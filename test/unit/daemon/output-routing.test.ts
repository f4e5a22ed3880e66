// Output routing: per `log` setting, which of the ring, a log file and the daemon's stdout a line reaches.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OutputRouting, type LogFileTarget, type OutputStream } from '../../../src/daemon/output-routing.js';
import type { ServiceConfig } from '../../../src/config/types.js';
import { svc } from '../../helpers/service-config.js';

interface FakeFile extends LogFileTarget {
  readonly service: string;
  readonly logFile: string;
  readonly lines: [OutputStream, string][];
  closed: boolean;
}

function setup(): { routing: OutputRouting; ring: [string, OutputStream | 'start', string][]; stdout: [OutputStream, string][]; files: FakeFile[] } {
  const ring: [string, OutputStream | 'start', string][] = [];
  const stdout: [OutputStream, string][] = [];
  const files: FakeFile[] = [];
  const routing = new OutputRouting({
    ring: (service, stream, text) => void ring.push([service, stream, text]),
    ringStart: (service) => void ring.push([service, 'start', '']),
    daemonOutput: (stream, line) => void stdout.push([stream, line]),
    openFile: (c: ServiceConfig, logFile: string) => {
      const file: FakeFile = {
        service: c.name,
        logFile,
        lines: [],
        closed: false,
        write: (stream, text) => void file.lines.push([stream, text]),
        close: () => {
          file.closed = true;
          return Promise.resolve();
        },
      };
      files.push(file);
      return file;
    },
  });
  return { routing, ring, stdout, files };
}

void describe('OutputRouting', () => {
  void test('none: the output is discarded, nothing is opened', () => {
    const { routing, files } = setup();
    assert.equal(routing.outputOf(svc('quiet', { log: 'none' })), null);
    assert.equal(files.length, 0);
  });

  void test('ring: the ring only', () => {
    const { routing, ring, stdout, files } = setup();
    routing.outputOf(svc('web', { log: 'ring' }))?.('stderr', 'oops');
    assert.deepEqual(ring, [['web', 'stderr', 'oops']]);
    assert.deepEqual(stdout, []);
    assert.equal(files.length, 0);
  });

  void test("stdout: the ring and the daemon's own stdout and stderr, each line as written (zinit's pass-through)", () => {
    const { routing, ring, stdout } = setup();
    const out = routing.outputOf(svc('web', { log: 'stdout' }));
    out?.('stdout', 'listening');
    out?.('stderr', 'warned');
    assert.deepEqual(ring, [
      ['web', 'stdout', 'listening'],
      ['web', 'stderr', 'warned'],
    ]);
    assert.deepEqual(stdout, [
      ['stdout', 'listening\n'],
      ['stderr', 'warned\n'],
    ]);
  });

  void test('file: the ring and the log file, one file per service however many processes it spawns', () => {
    const { routing, ring, stdout, files } = setup();
    const c = svc('db', { log: 'file', logFile: 'db.log' });
    routing.outputOf(c)?.('stdout', 'first');
    routing.outputOf(c)?.('stderr', 'second');
    assert.equal(files.length, 1);
    assert.equal(files[0]?.logFile, 'db.log');
    assert.deepEqual(files[0]?.lines, [
      ['stdout', 'first'],
      ['stderr', 'second'],
    ]);
    assert.deepEqual(ring, [
      ['db', 'stdout', 'first'],
      ['db', 'stderr', 'second'],
    ]);
    assert.deepEqual(stdout, []);
  });

  void test('file without a log file: the ring only (control for the file case)', () => {
    const { routing, ring, files } = setup();
    routing.outputOf(svc('db', { log: 'file', logFile: null }))?.('stdout', 'line');
    assert.equal(files.length, 0);
    assert.deepEqual(ring, [['db', 'stdout', 'line']]);
  });

  void test('close closes every file opened', async () => {
    const { routing, files } = setup();
    routing.outputOf(svc('a', { log: 'file', logFile: 'a.log' }));
    routing.outputOf(svc('b', { log: 'file', logFile: 'b.log' }));
    await routing.close();
    assert.deepEqual(
      files.map((f) => [f.service, f.closed]),
      [
        ['a', true],
        ['b', true],
      ],
    );
  });

  void test('a later process of the service keeps the file its config still names', () => {
    const { routing, files } = setup();
    const c = svc('db', { log: 'file', logFile: 'db.log' });
    routing.outputOf(c)?.('stdout', 'first run');
    routing.outputOf({ ...c })?.('stdout', 'second run');
    assert.equal(files.length, 1);
    assert.deepEqual(files[0]?.lines, [['stdout', 'first run'], ['stdout', 'second run']]);
  });

  void test('after a reload that names another log_file, the new process writes there and the old file is closed', async () => {
    const { routing, files } = setup();
    const before = routing.outputOf(svc('db', { log: 'file', logFile: 'old.log' }));
    const after = routing.outputOf(svc('db', { log: 'file', logFile: 'new.log' }));
    after?.('stdout', 'new line');
    assert.deepEqual(files.map((f) => [f.logFile, f.closed]), [['old.log', true], ['new.log', false]]);
    assert.deepEqual(files[1]?.lines, [['stdout', 'new line']]);
    // The old process's closure still points at its own file, never at the new one.
    before?.('stdout', 'late line of the old process');
    assert.deepEqual(files[1]?.lines, [['stdout', 'new line']]);
    await routing.close();
    assert.equal(files[1]?.closed, true);
  });

  void test('other rotation limits after a reload open the file anew with them', () => {
    const { routing, files } = setup();
    routing.outputOf(svc('db', { log: 'file', logFile: 'db.log', logMaxSize: 1000 }));
    routing.outputOf(svc('db', { log: 'file', logFile: 'db.log', logMaxSize: 2000 }));
    assert.deepEqual(files.map((f) => f.closed), [true, false]);
  });

  void test("a spawn is marked in the ring of every service whose output the ring keeps, before the run's lines; never in a file or on stdout", () => {
    const { routing, ring, stdout, files } = setup();
    for (const log of ['ring', 'stdout', 'file'] as const) {
      const c = svc(log, { log, logFile: log === 'file' ? 'f.log' : null });
      routing.processStarted(c);
      routing.outputOf(c)?.('stdout', 'hello');
    }
    routing.processStarted(svc('quiet', { log: 'none' }));
    assert.deepEqual(ring, [
      ['ring', 'start', ''],
      ['ring', 'stdout', 'hello'],
      ['stdout', 'start', ''],
      ['stdout', 'stdout', 'hello'],
      ['file', 'start', ''],
      ['file', 'stdout', 'hello'],
    ]);
    assert.deepEqual(stdout, [['stdout', 'hello\n']]);
    assert.deepEqual(files[0]?.lines, [['stdout', 'hello']]);
  });
});
