// What happens after a long-running service's process exits on its own: respawn with backoff, or give up.
import type { RestartPolicy } from '../config/types.js';

export interface RestartSettings {
  readonly restart: RestartPolicy;
  readonly restartDelayMs: number;
  readonly restartMaxDelayMs: number;
  /** 0 = unlimited. */
  readonly maxRestarts: number;
}

export interface RunOutcome {
  readonly ok: boolean;
  readonly ranMs: number;
}

export type RestartDecision =
  | { readonly action: 'respawn'; readonly delayMs: number; readonly streak: number }
  | { readonly action: 'stay' }
  | { readonly action: 'give-up'; readonly streak: number };

/**
 * `streak` is the number of consecutive restarts so far. A run that lasted longer than the
 * backoff cap counts as healthy and resets it, so a service that crashes once a day restarts
 * at the first delay again.
 */
export function decideRestart(s: RestartSettings, run: RunOutcome, streak: number): RestartDecision {
  if (s.restart === 'never') return run.ok ? { action: 'stay' } : { action: 'give-up', streak };
  if (s.restart === 'on-failure' && run.ok) return { action: 'stay' };
  const base = run.ranMs > s.restartMaxDelayMs ? 0 : streak;
  if (s.maxRestarts > 0 && base >= s.maxRestarts) return { action: 'give-up', streak: base };
  return { action: 'respawn', delayMs: backoffDelay(s, base + 1), streak: base + 1 };
}

/** Delay before the n-th consecutive restart (n ≥ 1): restart_delay doubled each time, capped. */
export function backoffDelay(s: Pick<RestartSettings, 'restartDelayMs' | 'restartMaxDelayMs'>, n: number): number {
  const d = s.restartDelayMs * 2 ** Math.max(0, n - 1);
  return Math.min(d, s.restartMaxDelayMs);
}
