// attachCapture: lines from real child processes' pipes, and resilience to broken streams.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { attachCapture } from '../../../src/log/capture.js';
import type { OutputStream } from '../../../src/log/log-line.js';
import { fixture } from '../../helpers/paths.js';
import { waitFor } from '../../helpers/wait-for.js';

interface Captured {
  service: string;
  stream: OutputStream;
  text: string;
}

function collector(): { lines: Captured[]; sink: (service: string, stream: OutputStream, text: string) => void } {
  const lines: Captured[] = [];
  return { lines, sink: (service, stream, text) => lines.push({ service, stream, text }) };
}

void describe('attachCapture', () => {
  void test('captures stdout and stderr of a real child, final partial line included', async () => {
    const child = spawn(fixture('log-both-streams.sh'), [], { stdio: ['ignore', 'pipe', 'pipe'] });
    const { lines, sink } = collector();
    attachCapture('demo', 'stdout', child.stdout, sink);
    attachCapture('demo', 'stderr', child.stderr, sink);
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    assert.equal(await exited, 0);
    const texts = (stream: OutputStream): string[] => lines.filter((l) => l.stream === stream).map((l) => l.text);
    assert.deepEqual(texts('stdout'), ['out one', 'héllo €', 'crlf line', 'no newline at end']);
    assert.deepEqual(texts('stderr'), ['err one', 'err two']);
    assert.ok(lines.every((l) => l.service === 'demo'));
  });

  void test('keeps order and count for a child writing 20,000 lines', async () => {
    const script = 'let s="";for(let i=0;i<20000;i++)s+="line "+i+"\\n";process.stdout.write(s);process.stderr.write("done")';
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    const { lines, sink } = collector();
    attachCapture('big', 'stdout', child.stdout, sink);
    attachCapture('big', 'stderr', child.stderr, sink);
    await waitFor(() => lines.some((l) => l.stream === 'stderr') && lines.length === 20001, 10_000, 'all lines');
    const out = lines.filter((l) => l.stream === 'stdout').map((l) => l.text);
    assert.deepEqual(out, Array.from({ length: 20000 }, (_, i) => `line ${i}`));
  });

  void test('a stream error is swallowed and the partial line still comes out', () => {
    const source = new PassThrough();
    const { lines, sink } = collector();
    attachCapture('svc', 'stderr', source, sink);
    source.write('whole\npart');
    source.emit('error', new Error('EIO'));
    source.emit('error', new Error('again'));
    assert.deepEqual(lines.map((l) => l.text), ['whole', 'part']);
  });

  void test('string chunks (a stream with an encoding set) are captured too', async () => {
    const source = new PassThrough();
    source.setEncoding('utf8');
    const { lines, sink } = collector();
    attachCapture('svc', 'stdout', source, sink);
    source.end('a\nb€\n');
    await waitFor(() => lines.length === 2, 2000, 'two lines');
    assert.deepEqual(lines.map((l) => l.text), ['a', 'b€']);
  });

  void test('detaching stops capture and emits what was already received', async () => {
    const source = new PassThrough();
    const { lines, sink } = collector();
    let ended = false;
    source.on('end', () => (ended = true));
    const detach = attachCapture('svc', 'stdout', source, sink);
    source.write('one\ntw');
    await waitFor(() => lines.length === 1, 2000, 'first line');
    detach();
    detach();
    assert.deepEqual(lines.map((l) => l.text), ['one', 'tw']);
    source.write('ignored\n');
    source.end();
    await waitFor(() => ended, 2000, 'source drained to its end');
    assert.equal(lines.length, 2);
  });
});
