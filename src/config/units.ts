// Durations ("500ms", "2s", "1m", or seconds) and sizes ("10K", "10M", "1G", or bytes) as written in service files.
import { describeValue } from './describe-value.js';

/** setTimeout fires at once (with a warning) past this, so no configured duration may exceed it. */
export const MAX_DURATION_MS = 2_147_483_647;

const DURATION_UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000 };
const DURATION_RE = /^(\d+(?:\.\d*)?|\.\d+)\s*(ms|s|m)?$/i;
const DURATION_EXPECTED = 'a non-negative number of seconds or a string such as "500ms", "2s" or "1m"';

/**
 * Milliseconds (rounded to whole ms) for a duration value. Throws a RangeError whose message
 * completes a sentence starting with the key name ("… must be …").
 */
export function parseDurationMs(value: unknown): number {
  let ms: number | null = null;
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) ms = value * 1000;
  } else if (typeof value === 'string') {
    const m = DURATION_RE.exec(value.trim());
    if (m) ms = Number(m[1]) * (DURATION_UNIT_MS[(m[2] ?? 's').toLowerCase()] ?? 1000);
  }
  if (ms === null) throw new RangeError(`must be ${DURATION_EXPECTED}, got ${describeValue(value)}`);
  ms = Math.round(ms);
  if (ms > MAX_DURATION_MS) {
    throw new RangeError(
      `must be at most ${Math.floor(MAX_DURATION_MS / 1000)} seconds (about 24 days), got ${describeValue(value)}`,
    );
  }
  return ms;
}

const SIZE_UNIT: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
const SIZE_RE = /^(\d+(?:\.\d*)?|\.\d+)\s*([kmg]?)(?:i?b)?$/i;
const SIZE_EXPECTED = 'a whole number of bytes or a string such as "10K", "10M" or "1G" (powers of 1024)';

/** Bytes (rounded down) for a size value. Throws a RangeError as parseDurationMs does. */
export function parseSizeBytes(value: unknown): number {
  let bytes: number | null = null;
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) bytes = value;
  } else if (typeof value === 'string') {
    const m = SIZE_RE.exec(value.trim());
    if (m) bytes = Math.floor(Number(m[1]) * (SIZE_UNIT[(m[2] ?? '').toLowerCase()] ?? 1));
  }
  if (bytes === null || !Number.isSafeInteger(bytes)) {
    throw new RangeError(`must be ${SIZE_EXPECTED}, got ${describeValue(value)}`);
  }
  return bytes;
}
