// Reaps orphaned zombies without ever taking a child that Node's child_process (libuv) is waiting for.
import type { Libc } from './libc.js';

export interface ReaperOptions {
  libc: Pick<Libc, 'waitidPeek' | 'waitpidNoHang'>;
  /** True for pids that libuv will reap itself (see child-registry.ts). */
  isManaged: (pid: number) => boolean;
  /** Every direct child of this process, from all threads (see readOwnChildren in proc.ts). */
  listOwnChildren: () => number[];
  onReap?: (pid: number, status: number) => void;
  /** After every pass: what it reaped is gone from /proc, so a walk begun now sees the exits that woke it. */
  onPass?: () => void;
  /** Errors of scheduled passes (a failed syscall, an unreadable /proc); without it they are thrown. */
  onError?: (err: unknown) => void;
  /** The safety net's first delay after any activity (a signal, a reap, a blocked head). */
  safetyNetMs?: number;
  /** Its longest delay: each pass that finds nothing doubles the wait, up to this. */
  safetyNetMaxMs?: number;
  retryMs?: number;
}

export interface ReaperStats {
  reaped: number;
  passes: number;
  fallbackScans: number;
}

export const DEFAULT_SAFETY_NET_MS = 1000;
/** An idle init wakes for the safety net every 8 s at most, not every second: SIGCHLD is what reaps, the net only bounds a miss. */
export const DEFAULT_SAFETY_NET_MAX_MS = 8000;
export const DEFAULT_RETRY_MS = 10;
// Bounds one synchronous pass so that an endless stream of orphans cannot starve the event loop (and libuv's
// own SIGCHLD handling); the rest is taken in the next pass.
const MAX_REAPS_PER_PASS = 4096;

export class Reaper {
  readonly #options: ReaperOptions;
  readonly #safetyNetMs: number;
  readonly #safetyNetMaxMs: number;
  readonly #retryMs: number;
  readonly #stats: ReaperStats = { reaped: 0, passes: 0, fallbackScans: 0 };
  #retryDelayMs: number;
  #pending: NodeJS.Immediate | null = null;
  #retryTimer: NodeJS.Timeout | null = null;
  #safetyNet: NodeJS.Timeout | null = null;
  #safetyNetDelayMs: number;
  /** Something happened since the last scheduled pass (a SIGCHLD), so the safety net starts over from its shortest delay. */
  #active = true;
  #started = false;
  readonly #onSignal = (): void => {
    this.#active = true;
    this.#schedule();
  };

  constructor(options: ReaperOptions) {
    const safetyNetMs = options.safetyNetMs ?? DEFAULT_SAFETY_NET_MS;
    const safetyNetMaxMs = options.safetyNetMaxMs ?? Math.max(safetyNetMs, DEFAULT_SAFETY_NET_MAX_MS);
    const retryMs = options.retryMs ?? DEFAULT_RETRY_MS;
    if (!(safetyNetMs > 0) || !(retryMs > 0) || !(safetyNetMaxMs >= safetyNetMs)) {
      throw new RangeError(`Reaper expects positive safetyNetMs and retryMs and safetyNetMaxMs >= safetyNetMs, got ${safetyNetMs}, ${retryMs} and ${safetyNetMaxMs}`);
    }
    this.#options = options;
    this.#safetyNetMs = safetyNetMs;
    this.#safetyNetMaxMs = safetyNetMaxMs;
    this.#safetyNetDelayMs = safetyNetMs;
    this.#retryMs = retryMs;
    this.#retryDelayMs = retryMs;
  }

  get stats(): ReaperStats {
    return { ...this.#stats };
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    // A listener, never SIG_IGN: ignoring SIGCHLD makes the kernel auto-reap and libuv would lose every exit status.
    process.on('SIGCHLD', this.#onSignal);
    // Signals coalesce and a SIGCHLD can arrive while a pass is running: the safety net catches what slipped by.
    // It is re-armed after every scheduled pass: 1 s after activity, doubling while passes find nothing.
    this.#active = true;
    this.#schedule();
  }

  stop(): void {
    this.#started = false;
    process.removeListener('SIGCHLD', this.#onSignal);
    if (this.#safetyNet) clearTimeout(this.#safetyNet);
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    if (this.#pending) clearImmediate(this.#pending);
    this.#safetyNet = this.#retryTimer = this.#pending = null;
  }

  /** One pass, synchronously; returns how many zombies it reaped. Follow-up passes are scheduled only once started. */
  reapNow(): number {
    return this.#pass().reaped;
  }

  /** The safety net's delay as last armed, in ms (null when not started). */
  get safetyNetDelayMs(): number | null {
    return this.#started ? this.#safetyNetDelayMs : null;
  }

  #pass(): { reaped: number; blocked: boolean } {
    const { libc, isManaged } = this.#options;
    this.#stats.passes++;
    const pass = { reaped: 0 };
    let blocked = false;
    try {
      while (pass.reaped < MAX_REAPS_PER_PASS) {
        const zombie = libc.waitidPeek();
        if (!zombie) break;
        // waitid returns the first zombie in the kernel's child list; if libuv owns it, every zombie behind it is
        // hidden from the peek until libuv's own SIGCHLD handler takes it.
        if (isManaged(zombie.pid) || !this.#reap(zombie.pid, pass)) {
          blocked = true;
          break;
        }
      }
      if (blocked) {
        // Scheduled before the scan: a scan that throws must not end the retries.
        this.#scheduleRetry();
        this.#scanChildren(pass);
      } else {
        this.#retryDelayMs = this.#retryMs;
      }
    } finally {
      if (pass.reaped >= MAX_REAPS_PER_PASS) this.#schedule();
    }
    this.#options.onPass?.();
    return { reaped: pass.reaped, blocked };
  }

  #armSafetyNet(quiet: boolean): void {
    const delay = quiet ? Math.min(this.#safetyNetDelayMs * 2, this.#safetyNetMaxMs) : this.#safetyNetMs;
    // A pass per SIGCHLD under a wave of exits: the same delay restarts the timer already there instead of making one.
    if (this.#safetyNet && delay === this.#safetyNetDelayMs) {
      this.#safetyNet.refresh();
      return;
    }
    if (this.#safetyNet) clearTimeout(this.#safetyNet);
    this.#safetyNetDelayMs = delay;
    this.#safetyNet = setTimeout(() => {
      this.#safetyNet = null;
      this.#schedule();
    }, this.#safetyNetDelayMs).unref();
  }

  #reap(pid: number, pass: { reaped: number }): boolean {
    const done = this.#options.libc.waitpidNoHang(pid);
    if (!done) return false;
    pass.reaped++;
    this.#stats.reaped++;
    this.#options.onReap?.(done.pid, done.status);
    return true;
  }

  // waitpid(pid, WNOHANG) on a live child returns 0 and changes nothing, so every unmanaged child can be tried.
  #scanChildren(pass: { reaped: number }): void {
    const { isManaged, listOwnChildren } = this.#options;
    this.#stats.fallbackScans++;
    for (const pid of listOwnChildren()) {
      if (pass.reaped >= MAX_REAPS_PER_PASS) break;
      if (!isManaged(pid)) this.#reap(pid, pass);
    }
  }

  #schedule(): void {
    if (this.#pending || !this.#started) return;
    this.#pending = setImmediate(() => {
      this.#pending = null;
      const active = this.#active;
      this.#active = false;
      let quiet = false;
      try {
        const pass = this.#pass();
        quiet = !active && pass.reaped === 0 && !pass.blocked;
      } catch (err) {
        // A failed pass is tried again by the retry timer or the safety net; as PID 1 a crash would kill everything.
        if (!this.#options.onError) throw err;
        this.#options.onError(err);
      } finally {
        if (this.#started) this.#armSafetyNet(quiet);
      }
    });
    // Left ref'd on purpose: an unref'd immediate does not stop libuv from blocking in poll, so a follow-up pass
    // would wait for the next unrelated event (the safety net, a second later). It holds the loop one turn at most.
  }

  // Backs off while the head zombie stays managed, so a stuck head costs a scan per safety-net period at most.
  #scheduleRetry(): void {
    if (this.#retryTimer || !this.#started) return;
    const delay = this.#retryDelayMs;
    this.#retryDelayMs = Math.min(delay * 2, this.#safetyNetMs);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.#schedule();
    }, delay).unref();
  }
}
