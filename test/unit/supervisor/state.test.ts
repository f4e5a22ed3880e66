import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IllegalTransitionError, transition, satisfiesDependents, type State } from '../../../src/supervisor/state.js';

test('the normal life of a long-running service', () => {
  let s: State = 'Unknown';
  s = transition(s, { kind: 'block' });
  assert.equal(s, 'Blocked');
  s = transition(s, { kind: 'spawn' });
  assert.equal(s, 'Spawned');
  s = transition(s, { kind: 'ready' });
  assert.equal(s, 'Running');
  s = transition(s, { kind: 'exit', ok: false });
  assert.equal(s, 'Error');
  s = transition(s, { kind: 'give-up' });
  assert.equal(s, 'Failure');
  s = transition(s, { kind: 'spawn' });
  assert.equal(s, 'Spawned');
});

test('a oneshot ends in Success or Error by its exit', () => {
  assert.equal(transition('Spawned', { kind: 'exit', ok: true }), 'Success');
  assert.equal(transition('Spawned', { kind: 'exit', ok: false }), 'Error');
});

test('illegal moves throw instead of overwriting', () => {
  const illegal: [State, Parameters<typeof transition>[1]][] = [
    ['Running', { kind: 'spawn' }],
    ['Unknown', { kind: 'ready' }],
    ['Blocked', { kind: 'exit', ok: true }],
    ['Running', { kind: 'give-up' }],
    ['Failure', { kind: 'ready' }],
    ['Running', { kind: 'block' }],
  ];
  for (const [from, ev] of illegal) assert.throws(() => transition(from, ev), IllegalTransitionError, `${from} + ${ev.kind}`);
});

test('dependents wait for Running, or Success for a oneshot', () => {
  assert.equal(satisfiesDependents('Running', false), true);
  assert.equal(satisfiesDependents('Spawned', false), false);
  assert.equal(satisfiesDependents('Success', true), true);
  assert.equal(satisfiesDependents('Running', true), false);
});
