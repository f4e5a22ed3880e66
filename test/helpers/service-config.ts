// Builds a ServiceConfig with the documented defaults for tests that do not go through the parser.
import type { ServiceConfig } from '../../src/config/types.js';
import type { Logger } from '../../src/log/logger-types.js';

export function svc(name: string, over: Partial<ServiceConfig> = {}): ServiceConfig {
  return {
    name,
    source: '<memory>',
    exec: `run-${name}`,
    argv: [`run-${name}`],
    test: null,
    testArgv: null,
    oneshot: false,
    after: [],
    stopSignal: 'SIGTERM',
    shutdownTimeoutMs: 10_000,
    log: 'ring',
    env: {},
    dir: '/',
    restart: 'always',
    restartDelayMs: 100,
    restartMaxDelayMs: 30_000,
    maxRestarts: 0,
    testIntervalMs: null,
    testTimeoutMs: 10_000,
    user: null,
    group: null,
    uid: null,
    gid: null,
    postStop: null,
    postStopArgv: null,
    critical: false,
    logFile: null,
    logMaxSize: 10 * 1024 * 1024,
    logMaxFiles: 5,
    ...over,
  };
}

export const quietLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
