// Child exits as an event for the supervisor: after each reaper pass (or on SIGCHLD without a reaper), fanned out to every stop that waits.
import type { ChildEventsPort } from '../supervisor/ports.js';

export class ChildEvents implements ChildEventsPort {
  private readonly listeners = new Set<() => void>();
  private sigchld = false;
  private readonly onSignal = (): void => this.notify();

  /**
   * `fromReaper`: the reaper calls notify() after each pass, so a walk of /proc that follows no longer
   * meets the orphans it just reaped. Otherwise SIGCHLD itself is the event.
   */
  constructor(private readonly fromReaper: boolean) {}

  subscribe(fn: () => void): () => void {
    // One process listener however many stops wait: a listener per stop would trip Node's leak warning.
    // A listener, never SIG_IGN: ignoring SIGCHLD makes the kernel auto-reap and libuv would lose exit statuses.
    if (!this.fromReaper && !this.sigchld) {
      process.on('SIGCHLD', this.onSignal);
      this.sigchld = true;
    }
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
      if (this.listeners.size === 0 && this.sigchld) {
        process.removeListener('SIGCHLD', this.onSignal);
        this.sigchld = false;
      }
    };
  }

  notify(): void {
    for (const fn of [...this.listeners]) fn();
  }
}
