// Bounded waits on events and child exits for the os tests, built on waitFor so a hang becomes a failure.
import type { ChildProcess } from 'node:child_process';
import { waitFor } from '../../helpers/wait-for.js';

/** The exit of a child_process child as [code, signal], or a timeout error naming the pid. */
export async function exitOf(child: ChildProcess, ms = 5000): Promise<[number | null, string | null]> {
  // exitCode/signalCode are set in the same call that emits 'exit', so seeing them means 'exit' has fired.
  await waitFor(() => child.exitCode !== null || child.signalCode !== null, ms, `pid ${child.pid} to exit`);
  return [child.exitCode, child.signalCode];
}

/** The value of a promise, or a timeout error after `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let outcome: { ok: true; value: T } | { ok: false; error: unknown } | null = null;
  promise.then(
    (value) => (outcome = { ok: true, value }),
    (error: unknown) => (outcome = { ok: false, error }),
  );
  const settled = await waitFor(() => outcome, ms, what);
  if (!settled.ok) throw settled.error;
  return settled.value;
}
