// parseSignal: every spelling zinit files use, and only signals this system has.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { parseSignal, signalName, signalNames } from '../../../src/config/signals.js';

void describe('parseSignal', () => {
  for (const spelling of ['sigterm', 'TERM', 'SIGTERM', 'term', 'SigTerm', ' SIGTERM ']) {
    void test(`reads ${JSON.stringify(spelling)} as SIGTERM`, () => {
      assert.equal(parseSignal(spelling), 'SIGTERM');
    });
  }

  void test('reads the other common stop signals', () => {
    assert.equal(parseSignal('sigint'), 'SIGINT');
    assert.equal(parseSignal('kill'), 'SIGKILL');
    assert.equal(parseSignal('QUIT'), 'SIGQUIT');
    assert.equal(parseSignal('hup'), 'SIGHUP');
    assert.equal(parseSignal('usr1'), 'SIGUSR1');
  });

  for (const bad of ['', 'SIG', 'SIGFOO', 'TREM', '15', 'SIGSIGTERM', 'SIGRTMIN+1', 'toString', 'constructor']) {
    void test(`refuses ${JSON.stringify(bad)}`, () => {
      assert.equal(parseSignal(bad), null);
    });
  }

  void test('knows exactly the signals of os.constants.signals', () => {
    const names = Object.keys(os.constants.signals);
    for (const name of names) assert.equal(parseSignal(name), name);
    assert.deepEqual(new Set(signalNames()), new Set(names));
  });
});

void describe('signalName', () => {
  void test('names a number, preferring the usual name of aliases', () => {
    assert.equal(signalName(15), 'SIGTERM');
    assert.equal(signalName(9), 'SIGKILL');
    assert.equal(signalName(6), 'SIGABRT');
    assert.equal(signalName(999), null);
  });
});
