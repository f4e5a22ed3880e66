// Signal names to numbers and back, from Node's table of the running platform.
import { constants } from 'node:os';

export function signalNumber(name: NodeJS.Signals): number {
  return constants.signals[name] ?? 0;
}

export function signalName(num: number): NodeJS.Signals | null {
  for (const [name, n] of Object.entries(constants.signals)) if (n === num) return name as NodeJS.Signals;
  return null;
}

/** Shell convention for a process's exit: its code, or 128 + the signal that killed it. */
export function exitCodeOf(status: { code: number | null; signal: NodeJS.Signals | null }): number {
  if (status.code !== null) return status.code;
  return status.signal ? 128 + signalNumber(status.signal) : 1;
}
