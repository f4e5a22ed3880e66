// SIGCHLD as an event for the supervisor: one listener on the process, fanned out to every stop that waits.
import type { ChildEventsPort } from '../supervisor/ports.js';

export class ChildEvents implements ChildEventsPort {
  private readonly listeners = new Set<() => void>();
  // One process listener however many stops wait: a listener per stop would trip Node's leak warning.
  private readonly onSignal = (): void => {
    for (const fn of [...this.listeners]) fn();
  };

  subscribe(fn: () => void): () => void {
    // A listener, never SIG_IGN: ignoring SIGCHLD makes the kernel auto-reap and libuv would lose exit statuses.
    if (this.listeners.size === 0) process.on('SIGCHLD', this.onSignal);
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
      if (this.listeners.size === 0) process.removeListener('SIGCHLD', this.onSignal);
    };
  }
}
