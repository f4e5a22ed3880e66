// Reaps orphaned zombies without ever taking a child that Node's child_process (libuv) is waiting for.
import type { Libc } from './libc.js';

export interface ReaperOptions {
  libc: Pick<Libc, 'waitidPeek' | 'waitpidNoHang'>;
  /** True for pids that libuv will reap itself (see child-registry.ts). */
  isManaged: (pid: number) => boolean;
  /** Every direct child of this process, from all threads (see readOwnChildren in proc.ts). */
  listOwnChildren: () => number[];
  onReap?: (pid: number, status: number) => void;
  safetyNetMs?: number;
  retryMs?: number;
}

export interface ReaperStats {
  reaped: number;
  passes: number;
  fallbackScans: number;
}

export const DEFAULT_SAFETY_NET_MS = 1000;
export const DEFAULT_RETRY_MS = 10;
// Bounds one synchronous pass so that an endless stream of orphans cannot starve the event loop (and libuv's
// own SIGCHLD handling); the rest is taken in the next pass.
const MAX_REAPS_PER_PASS = 4096;

export class Reaper {
  readonly #options: ReaperOptions;
  readonly #safetyNetMs: number;
  readonly #retryMs: number;
  readonly #stats: ReaperStats = { reaped: 0, passes: 0, fallbackScans: 0 };
  #retryDelayMs: number;
  #pending: NodeJS.Immediate | null = null;
  #retryTimer: NodeJS.Timeout | null = null;
  #safetyNet: NodeJS.Timeout | null = null;
  #started = false;
  readonly #onSignal = (): void => this.#schedule();

  constructor(options: ReaperOptions) {
    const safetyNetMs = options.safetyNetMs ?? DEFAULT_SAFETY_NET_MS;
    const retryMs = options.retryMs ?? DEFAULT_RETRY_MS;
    if (!(safetyNetMs > 0) || !(retryMs > 0)) {
      throw new RangeError(`Reaper expects positive safetyNetMs and retryMs, got ${safetyNetMs} and ${retryMs}`);
    }
    this.#options = options;
    this.#safetyNetMs = safetyNetMs;
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
    // Signals coalesce and a SIGCHLD can arrive while a pass is running: the slow timer catches what slipped by.
    this.#safetyNet = setInterval(this.#onSignal, this.#safetyNetMs).unref();
    this.#schedule();
  }

  stop(): void {
    this.#started = false;
    process.removeListener('SIGCHLD', this.#onSignal);
    if (this.#safetyNet) clearInterval(this.#safetyNet);
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    if (this.#pending) clearImmediate(this.#pending);
    this.#safetyNet = this.#retryTimer = this.#pending = null;
  }

  /** One pass, synchronously; returns how many zombies it reaped. Follow-up passes are scheduled only once started. */
  reapNow(): number {
    const { libc, isManaged, onReap } = this.#options;
    this.#stats.passes++;
    let reaped = 0;
    let blocked = false;
    while (reaped < MAX_REAPS_PER_PASS) {
      const zombie = libc.waitidPeek();
      if (!zombie) break;
      // waitid returns the first zombie in the kernel's child list; if libuv owns it, every zombie behind it is
      // hidden from the peek until libuv's own SIGCHLD handler takes it.
      if (isManaged(zombie.pid)) {
        blocked = true;
        break;
      }
      const done = libc.waitpidNoHang(zombie.pid);
      if (!done) {
        blocked = true;
        break;
      }
      reaped++;
      onReap?.(done.pid, done.status);
    }
    if (blocked) reaped += this.#scanChildren(MAX_REAPS_PER_PASS - reaped);
    this.#stats.reaped += reaped;

    if (reaped >= MAX_REAPS_PER_PASS) this.#schedule();
    else if (blocked) this.#scheduleRetry();
    else this.#retryDelayMs = this.#retryMs;
    return reaped;
  }

  // waitpid(pid, WNOHANG) on a live child returns 0 and changes nothing, so every unmanaged child can be tried.
  #scanChildren(budget: number): number {
    const { libc, isManaged, listOwnChildren, onReap } = this.#options;
    this.#stats.fallbackScans++;
    let reaped = 0;
    for (const pid of listOwnChildren()) {
      if (reaped >= budget) break;
      if (isManaged(pid)) continue;
      const done = libc.waitpidNoHang(pid);
      if (!done) continue;
      reaped++;
      onReap?.(done.pid, done.status);
    }
    return reaped;
  }

  #schedule(): void {
    if (this.#pending || !this.#started) return;
    this.#pending = setImmediate(() => {
      this.#pending = null;
      this.reapNow();
    });
    // The daemon decides when to exit; a pending pass must not keep it alive.
    this.#pending.unref();
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
