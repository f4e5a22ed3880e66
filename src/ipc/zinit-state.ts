// A service's state in zinit's words: the Rust Debug form zinit answers with, e.g. `Error(Exited(Pid(123), 3))`.
import type { State } from '../supervisor/state.js';

export interface ExitOfPid {
  readonly pid: number;
  readonly code: number | null;
  readonly signal: string | null;
}

/**
 * zinit keeps an error state with nix's wait status of the process that ended, and prints it
 * Debug style: `Error(Exited(Pid(123), 3))` or `Error(Signaled(Pid(123), SIGTERM, false))`, the
 * last field saying whether a core was dumped. Node's exit event does not say, so it is false.
 */
export function zinitState(state: State, exit: ExitOfPid | null): string {
  if (state !== 'Error' || exit === null) return state;
  if (exit.signal !== null) return `Error(Signaled(Pid(${exit.pid}), ${exit.signal}, false))`;
  return `Error(Exited(Pid(${exit.pid}), ${exit.code ?? 0}))`;
}
