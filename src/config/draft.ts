// A service config while it is being read, and how the defaults fill in what was not given.
import * as D from './defaults.js';
import type { YamlNode } from './collector.js';
import { NO_LIMITS, type ServiceConfig } from './types.js';

/** What was read so far; undefined = not given, or given and already reported as wrong. */
export type Draft = { -readonly [K in keyof ServiceConfig]?: ServiceConfig[K] | undefined };

/** One known key of the file: where it is written and its value (aliases already followed). */
export interface Entry {
  readonly keyNode: YamlNode;
  readonly valueNode: YamlNode;
}

export function completeDraft(d: Draft, name: string, source: string): ServiceConfig {
  return {
    name,
    source,
    exec: d.exec ?? '',
    argv: d.argv ?? [],
    test: d.test ?? null,
    testArgv: d.testArgv ?? null,
    oneshot: d.oneshot ?? D.DEFAULT_ONESHOT,
    after: d.after ?? [],
    stopSignal: d.stopSignal ?? D.DEFAULT_STOP_SIGNAL,
    shutdownTimeoutMs: d.shutdownTimeoutMs ?? D.DEFAULT_SHUTDOWN_TIMEOUT_MS,
    killMode: d.killMode ?? D.DEFAULT_KILL_MODE,
    log: d.log ?? D.DEFAULT_LOG,
    env: d.env ?? {},
    dir: d.dir ?? D.DEFAULT_DIR,
    restart: d.restart ?? D.DEFAULT_RESTART,
    restartDelayMs: d.restartDelayMs ?? D.DEFAULT_RESTART_DELAY_MS,
    restartMaxDelayMs: d.restartMaxDelayMs ?? D.DEFAULT_RESTART_MAX_DELAY_MS,
    maxRestarts: d.maxRestarts ?? D.DEFAULT_MAX_RESTARTS,
    testIntervalMs: d.testIntervalMs ?? D.DEFAULT_TEST_INTERVAL_MS,
    testTimeoutMs: d.testTimeoutMs ?? D.DEFAULT_TEST_TIMEOUT_MS,
    ready: d.ready ?? null,
    live: d.live ?? null,
    liveIntervalMs: d.liveIntervalMs ?? D.DEFAULT_LIVE_INTERVAL_MS,
    liveFailures: d.liveFailures ?? D.DEFAULT_LIVE_FAILURES,
    notify: d.notify ?? null,
    user: d.user ?? null,
    group: d.group ?? null,
    passEnv: d.passEnv ?? [],
    uid: d.uid ?? null,
    gid: d.gid ?? null,
    postStop: d.postStop ?? null,
    postStopArgv: d.postStopArgv ?? null,
    critical: d.critical ?? D.DEFAULT_CRITICAL,
    logFile: d.logFile ?? null,
    logMaxSize: d.logMaxSize ?? D.DEFAULT_LOG_MAX_SIZE,
    logMaxFiles: d.logMaxFiles ?? D.DEFAULT_LOG_MAX_FILES,
    limits: d.limits ?? NO_LIMITS,
  };
}
