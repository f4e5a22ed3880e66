// What happens after a long-running service's process exits on its own: respawn with backoff, or give up.
import type { RestartPolicy } from '../config/types.js';

export interface RestartSettings {
  readonly restart: RestartPolicy;
  readonly restartDelayMs: number;
  readonly restartMaxDelayMs: number;
  /** 0 = unlimited. */
  readonly maxRestarts: number;
}

/** How the main process ended: cleanly or not, and after how long. */
export interface MainExit {
  readonly ok: boolean;
  readonly ranMs: number;
}

export type RestartDecision =
  | { readonly action: 'respawn'; readonly delayMs: number; readonly streak: number }
  | { readonly action: 'stay' }
  | { readonly action: 'give-up'; readonly streak: number };

/**
 * `streak` is the number of consecutive restarts so far. A process that lasted longer than the
 * backoff cap counts as healthy and resets it, so a service that crashes once a day restarts
 * at the first delay again.
 */
export function decideRestart(s: RestartSettings, exit: MainExit, streak: number): RestartDecision {
  if (s.restart === 'never') return exit.ok ? { action: 'stay' } : { action: 'give-up', streak };
  if (s.restart === 'on-failure' && exit.ok) return { action: 'stay' };
  const base = exit.ranMs > s.restartMaxDelayMs ? 0 : streak;
  if (s.maxRestarts > 0 && base >= s.maxRestarts) return { action: 'give-up', streak: base };
  return { action: 'respawn', delayMs: backoffDelay(s, base + 1), streak: base + 1 };
}

/** Delay before the n-th consecutive restart (n ≥ 1): restart_delay doubled each time, capped. */
export function backoffDelay(s: Pick<RestartSettings, 'restartDelayMs' | 'restartMaxDelayMs'>, n: number): number {
  const d = s.restartDelayMs * 2 ** Math.max(0, n - 1);
  return Math.min(d, s.restartMaxDelayMs);
}
