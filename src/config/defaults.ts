// Default value of every optional service-file key, in the units ServiceConfig uses.
import type { KillMode, LogMode, RestartPolicy } from './types.js';

export const DEFAULT_STOP_SIGNAL: NodeJS.Signals = 'SIGTERM';
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
export const DEFAULT_KILL_MODE: KillMode = 'mixed';
export const DEFAULT_LOG: LogMode = 'ring';
export const DEFAULT_DIR = '/';
export const DEFAULT_ONESHOT = false;
export const DEFAULT_RESTART: RestartPolicy = 'always';
export const DEFAULT_RESTART_DELAY_MS = 100;
export const DEFAULT_RESTART_MAX_DELAY_MS = 30_000;
/** 0 = unlimited. */
export const DEFAULT_MAX_RESTARTS = 0;
/** null = the built-in probe schedule. */
export const DEFAULT_TEST_INTERVAL_MS: number | null = null;
export const DEFAULT_TEST_TIMEOUT_MS = 10_000;
export const DEFAULT_LIVE_INTERVAL_MS = 10_000;
export const DEFAULT_LIVE_FAILURES = 3;
export const DEFAULT_CRITICAL = false;
export const DEFAULT_LOG_MAX_SIZE = 10 * 1024 * 1024;
export const DEFAULT_LOG_MAX_FILES = 5;
