// Builds a ServiceConfig with the documented defaults for tests that do not go through the parser.
import { NO_LIMITS, type ServiceConfig } from '../../src/config/types.js';
import type { Logger } from '../../src/log/logger-types.js';
import * as D from '../../src/config/defaults.js';

export function svc(name: string, over: Partial<ServiceConfig> = {}): ServiceConfig {
  return {
    name,
    source: '<memory>',
    exec: `run-${name}`,
    argv: [`run-${name}`],
    test: null,
    testArgv: null,
    oneshot: D.DEFAULT_ONESHOT,
    after: [],
    stopSignal: D.DEFAULT_STOP_SIGNAL,
    shutdownTimeoutMs: D.DEFAULT_SHUTDOWN_TIMEOUT_MS,
    killMode: D.DEFAULT_KILL_MODE,
    log: D.DEFAULT_LOG,
    env: {},
    dir: D.DEFAULT_DIR,
    restart: D.DEFAULT_RESTART,
    restartDelayMs: D.DEFAULT_RESTART_DELAY_MS,
    restartMaxDelayMs: D.DEFAULT_RESTART_MAX_DELAY_MS,
    maxRestarts: D.DEFAULT_MAX_RESTARTS,
    testIntervalMs: D.DEFAULT_TEST_INTERVAL_MS,
    testTimeoutMs: D.DEFAULT_TEST_TIMEOUT_MS,
    ready: null,
    live: null,
    liveIntervalMs: D.DEFAULT_LIVE_INTERVAL_MS,
    liveFailures: D.DEFAULT_LIVE_FAILURES,
    notify: null,
    user: null,
    group: null,
    passEnv: [],
    uid: null,
    gid: null,
    postStop: null,
    postStopArgv: null,
    critical: D.DEFAULT_CRITICAL,
    logFile: null,
    logMaxSize: D.DEFAULT_LOG_MAX_SIZE,
    logMaxFiles: D.DEFAULT_LOG_MAX_FILES,
    limits: NO_LIMITS,
    ...over,
  };
}

export const quietLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
