// ISO-8601 UTC timestamps for log lines, fast enough for the per-line path.

// Date#toISOString costs over a microsecond in V8; lines arrive in bursts within one second, so the
// second's prefix is computed once and only the milliseconds are appended per line.
const MAX_DATE_MS = 8.64e15;
let cachedSecond = NaN;
let cachedPrefix = '';

/** `2026-11-21T23:18:12.345Z` for epoch milliseconds `ts`, exactly as `new Date(ts).toISOString()`. */
export function isoTime(ts: number): string {
  const ms = Math.trunc(ts);
  // Outside Date's range toISOString throws, and a log line must never throw.
  if (!(Math.abs(ms) <= MAX_DATE_MS)) return String(ts);
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    const iso = new Date(second * 1000).toISOString();
    // Years past 9999 or before 0 change the width; leave those to Date.
    if (iso.length !== 24) return new Date(ms).toISOString();
    cachedSecond = second;
    cachedPrefix = iso.slice(0, 20);
  }
  const frac = ms - second * 1000;
  return `${cachedPrefix}${frac < 10 ? '00' : frac < 100 ? '0' : ''}${frac}Z`;
}
