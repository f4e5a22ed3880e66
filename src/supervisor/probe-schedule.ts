// When to run the next readiness probe: fast at first so quick services are up in tens of ms, then backing off.

export const PROBE_FIRST_MS = 50;
export const PROBE_GROWTH = 1.25;
export const PROBE_CAP_MS = 2000;

/** Delay before probe attempt n: the first (n = 0) runs at once; a configured `test_interval` is used as is after that. */
export function probeDelay(attempt: number, configuredMs: number | null): number {
  if (attempt <= 0) return 0;
  if (configuredMs !== null) return configuredMs;
  return Math.min(PROBE_CAP_MS, Math.round(PROBE_FIRST_MS * PROBE_GROWTH ** Math.max(0, attempt - 1)));
}
