// Signal names to numbers, and the shell's exit-code convention for a process killed by a signal.
import { constants } from 'node:os';

export function signalNumber(name: NodeJS.Signals): number {
  return constants.signals[name] ?? 0;
}

/** Shell convention for a process's exit: its code, or 128 + the signal that killed it. */
export function exitCodeOf(status: { code: number | null; signal: NodeJS.Signals | null }): number {
  if (status.code !== null) return status.code;
  return status.signal ? 128 + signalNumber(status.signal) : 1;
}
