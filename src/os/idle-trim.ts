// Hands the C heap's free pages back to the system once the daemon has gone quiet after a burst of work.
import type { Clock, TimerHandle } from '../supervisor/ports.js';

/**
 * A burst (booting 200 services, a reload, V8's compile jobs)
 * frees most of what it malloc'd, but glibc keeps freed memory in its arenas unless it happens to
 * sit at the top of one: measured on 200 idle services, 12–16 MiB of the daemon's RSS was such
 * free memory, released by one malloc_trim(0).
 */
export const DEFAULT_QUIET_MS = 5000;

export interface IdleTrimOptions {
  /** malloc_trim(0); returns whether anything was released. */
  readonly trim: () => boolean;
  readonly clock: Pick<Clock, 'now' | 'setTimeout'>;
  /** How long nothing must have happened before trimming. */
  readonly quietMs?: number;
  readonly onTrim?: (released: boolean) => void;
}

/**
 * One pending timer at most, and none at all once a quiet daemon has been trimmed: activity only
 * records its time, and the timer, when it fires early, waits out the rest of the quiet period.
 */
export class IdleTrim {
  readonly #trim: () => boolean;
  readonly #clock: Pick<Clock, 'now' | 'setTimeout'>;
  readonly #quietMs: number;
  readonly #onTrim: ((released: boolean) => void) | undefined;
  #lastActivity = 0;
  #timer: TimerHandle | null = null;
  #trims = 0;

  constructor(options: IdleTrimOptions) {
    const quietMs = options.quietMs ?? DEFAULT_QUIET_MS;
    if (!(quietMs > 0)) throw new RangeError(`IdleTrim expects a positive quietMs, got ${quietMs}`);
    this.#trim = options.trim;
    this.#clock = options.clock;
    this.#quietMs = quietMs;
    this.#onTrim = options.onTrim;
  }

  /** How many times it trimmed. */
  get trims(): number {
    return this.#trims;
  }

  /** Something that allocates happened (a spawn, a config load): trim once things are quiet again. */
  activity(): void {
    this.#lastActivity = this.#clock.now();
    if (this.#timer === null) this.#arm(this.#quietMs);
  }

  #arm(ms: number): void {
    const handle = this.#clock.setTimeout(() => this.#due(), ms);
    // Never what keeps the daemon alive.
    (handle as { unref?: () => void }).unref?.();
    this.#timer = handle;
  }

  #due(): void {
    this.#timer = null;
    const quietFor = this.#clock.now() - this.#lastActivity;
    if (quietFor < this.#quietMs) {
      this.#arm(this.#quietMs - quietFor);
      return;
    }
    this.#trims += 1;
    let released = false;
    try {
      released = this.#trim();
    } catch {
      // Returning memory is an optimisation: a libc without it (or a failed call) costs nothing else.
    }
    this.#onTrim?.(released);
  }
}
