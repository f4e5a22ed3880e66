// A logger that discards everything, for code paths and tests that do not care about logs.

import type { Logger } from './logger-types.js';

export function createNullLogger(): Logger {
  const discard = (): void => undefined;
  return { debug: discard, info: discard, warn: discard, error: discard };
}
