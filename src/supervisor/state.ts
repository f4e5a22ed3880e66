// Service states and targets (zinit's names) and the one transition function every change goes through.
import { InvalidStateTransitionError } from '../errors/errors.js';

export type State = 'Unknown' | 'Blocked' | 'Spawned' | 'Running' | 'Success' | 'Error' | 'TestFailure' | 'Failure';
export type Target = 'Up' | 'Down';

export type StateEvent =
  | { readonly kind: 'block' }
  | { readonly kind: 'spawn' }
  | { readonly kind: 'ready' }
  | { readonly kind: 'test-failed' }
  | { readonly kind: 'exit'; readonly ok: boolean }
  | { readonly kind: 'give-up' };

/** A transition the table has no row for: a bug, answered as zinit answers it (INVALID_STATE_TRANSITION). */
export class IllegalTransitionError extends InvalidStateTransitionError {
  override name = 'IllegalTransitionError';
  constructor(
    readonly from: State,
    readonly event: StateEvent['kind'],
  ) {
    super(from, event);
  }
}

type Table = Readonly<Record<State, Partial<Record<StateEvent['kind'], State | 'by-outcome'>>>>;

// One row per state: the events it accepts and where they lead. Anything absent is a bug.
const TABLE: Table = {
  Unknown: { block: 'Blocked', spawn: 'Spawned' },
  Blocked: { block: 'Blocked', spawn: 'Spawned' },
  Spawned: { ready: 'Running', 'test-failed': 'TestFailure', exit: 'by-outcome' },
  Running: { exit: 'by-outcome' },
  TestFailure: { ready: 'Running', 'test-failed': 'TestFailure', exit: 'by-outcome' },
  Success: { spawn: 'Spawned', block: 'Blocked', 'give-up': 'Failure' },
  Error: { spawn: 'Spawned', block: 'Blocked', 'give-up': 'Failure' },
  Failure: { spawn: 'Spawned', block: 'Blocked' },
};

export function transition(from: State, event: StateEvent): State {
  const to = TABLE[from][event.kind];
  if (to === undefined) throw new IllegalTransitionError(from, event.kind);
  if (to === 'by-outcome') return event.kind === 'exit' && event.ok ? 'Success' : 'Error';
  return to;
}

/** A process of this service is (or may be) alive in these states. */
export function hasProcess(state: State): boolean {
  return state === 'Spawned' || state === 'Running' || state === 'TestFailure';
}

/** Dependents may start once a dependency is here: Running for a long-running service, Success for a oneshot. */
export function satisfiesDependents(state: State, oneshot: boolean): boolean {
  return oneshot ? state === 'Success' : state === 'Running';
}

/** Failed for good: its restarts gave up (Failure), or a oneshot ended in Error; only a start by hand brings it back. */
export function failedForGood(state: State, oneshot: boolean): boolean {
  return state === 'Failure' || (oneshot && state === 'Error');
}
