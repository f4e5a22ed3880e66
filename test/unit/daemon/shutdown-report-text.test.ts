// The shutdown's text: the progress line while services stop, and the final report (slowest first, then the sweep).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatShutdownReport, shutdownProgressLine } from '../../../src/daemon/shutdown-report-text.js';
import type { StopReport } from '../../../src/supervisor/service-stop.js';
import type { TrackedProcess } from '../../../src/supervisor/ports.js';

const proc = (pid: number, comm: string, state: string): TrackedProcess => ({ pid, startTime: 1, ppid: 1, pgrp: pid, session: pid, comm, state, escaped: false, underMain: false });
const stop = (service: string, over: Partial<StopReport> = {}): StopReport => ({ service, signal: 'SIGTERM', hadProcess: true, durationMs: 10, sigkill: false, descendants: 0, remaining: [], ...over });

void describe('shutdownProgressLine', () => {
  void test('names each service waited on with the time left before SIGKILL, or that it was sent', () => {
    assert.equal(
      shutdownProgressLine([
        { name: 'db', msLeft: 8250 },
        { name: 'web', msLeft: null },
      ]),
      'shutdown in progress, waiting for: db (SIGKILL in 8.3 s), web (SIGKILL sent)',
    );
  });

  void test('nothing to say while nothing is waited on', () => {
    assert.equal(shutdownProgressLine([]), null);
  });
});

void describe('formatShutdownReport', () => {
  void test('services slowest first, those without a process counted, then the sweep', () => {
    const text = formatShutdownReport({
      stops: {
        durationMs: 1534,
        services: [
          stop('fast', { durationMs: 12.4 }),
          stop('stubborn', { signal: 'SIGINT', durationMs: 1500, sigkill: true, descendants: 2, remaining: [proc(77, 'x', 'D')] }),
          stop('idle', { hadProcess: false, durationMs: 0 }),
        ],
      },
      sweep: { killed: 3, remaining: [proc(91, 'stuck', 'D')] },
    });
    assert.deepEqual(text.split('\n'), [
      'shutdown report (1.53 s for services)',
      '  stubborn: SIGINT, stopped in 1.50 s, SIGKILL needed, descendants 2, still alive 77',
      '  fast: SIGTERM, stopped in 12 ms, no SIGKILL, descendants 0',
      '  1 service(s) had no process',
      '  swept: 3 leftover process(es) killed',
      '  remaining: 1 (91 stuck [D])',
    ]);
  });

  void test('a clean shutdown of nothing', () => {
    assert.equal(formatShutdownReport({ stops: { durationMs: 0, services: [] }, sweep: { killed: 0, remaining: [] } }), 'shutdown report (0 ms for services)\n  swept: 0 leftover process(es) killed\n  remaining: 0');
  });
});
