// Signal names as written in service files (sigterm, TERM, SIGTERM) to Node's names.
import os from 'node:os';

const byShortName = new Map<string, NodeJS.Signals>();
const byNumber = new Map<number, NodeJS.Signals>();
for (const [name, num] of Object.entries(os.constants.signals)) {
  byShortName.set(name.slice(3), name as NodeJS.Signals);
  // The first name wins for aliases (SIGABRT before SIGIOT), which is the one people know.
  if (!byNumber.has(num)) byNumber.set(num, name as NodeJS.Signals);
}

/** The canonical name for a real signal of this system, or null when there is no such signal. */
export function parseSignal(value: string): NodeJS.Signals | null {
  let upper = value.trim().toUpperCase();
  if (upper.startsWith('SIG')) upper = upper.slice(3);
  return byShortName.get(upper) ?? null;
}

/** The name of a signal number (15 → SIGTERM), for hints; null when unknown. */
export function signalName(num: number): NodeJS.Signals | null {
  return byNumber.get(num) ?? null;
}

/** Every signal name this system knows, e.g. for hints. */
export function signalNames(): NodeJS.Signals[] {
  return [...byShortName.values()];
}
