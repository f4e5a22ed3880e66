// The validated, normalised form of one service file; every duration in milliseconds.

export type LogMode = 'ring' | 'stdout' | 'none' | 'file';
export type RestartPolicy = 'always' | 'on-failure' | 'never';
/** Who gets the stop signal (systemd's KillMode names; see the README). */
export type KillMode = 'mixed' | 'control-group' | 'process';

/** A health probe as written in `ready:` or `live:`. */
export type Probe =
  /** Passes on a 2xx or 3xx answer to a GET of `url` within the timeout. */
  | { readonly kind: 'http'; readonly url: string; readonly host: string; readonly port: number; readonly path: string }
  /** Passes when a connection to host:port is accepted within the timeout. */
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  /** Passes when the command exits 0 within the timeout; run like `test`, as a process of the service. */
  | { readonly kind: 'command'; readonly line: string; readonly argv: readonly string[] };

/** How a service says it is ready: a newline on fd 3 (s6), or READY=1 on NOTIFY_SOCKET (systemd). */
export type NotifyMode = 'fd' | 'systemd';

export interface ServiceConfig {
  readonly name: string;
  /** Path of the file it came from (or '<memory>'). */
  readonly source: string;
  /** The `exec` line as written. */
  readonly exec: string;
  /** `exec` split shell-like (quotes honoured, no shell). Never empty. */
  readonly argv: readonly string[];
  readonly test: string | null;
  readonly testArgv: readonly string[] | null;
  readonly oneshot: boolean;
  readonly after: readonly string[];
  /** Normalised signal name, e.g. 'SIGTERM'. */
  readonly stopSignal: NodeJS.Signals;
  readonly shutdownTimeoutMs: number;
  readonly killMode: KillMode;
  readonly log: LogMode;
  readonly env: Readonly<Record<string, string>>;
  readonly dir: string;
  readonly restart: RestartPolicy;
  readonly restartDelayMs: number;
  readonly restartMaxDelayMs: number;
  /** 0 = unlimited. */
  readonly maxRestarts: number;
  /** null = default schedule (50 ms first, growing to 2 s). */
  readonly testIntervalMs: number | null;
  readonly testTimeoutMs: number;
  /** Readiness probe (`ready:`); never given together with `test`. */
  readonly ready: Probe | null;
  /** Liveness probe (`live:`), run every liveIntervalMs once Running. */
  readonly live: Probe | null;
  readonly liveIntervalMs: number;
  /** Consecutive liveness failures that restart the service. */
  readonly liveFailures: number;
  readonly notify: NotifyMode | null;
  readonly user: string | null;
  readonly group: string | null;
  /** Daemon variables passed to a service that sets `user` (which otherwise gets a clean environment). */
  readonly passEnv: readonly string[];
  /** Resolved numeric ids (null = inherit). */
  readonly uid: number | null;
  readonly gid: number | null;
  readonly postStop: string | null;
  readonly postStopArgv: readonly string[] | null;
  readonly critical: boolean;
  readonly logFile: string | null;
  readonly logMaxSize: number;
  readonly logMaxFiles: number;
  /** Kernel limits for the service's cgroup (cgroup mode only); every field null when none is set. */
  readonly limits: ServiceLimits;
}

/**
 * `memory_max`, `memory_high`, `pids_max`, `cpu_weight`, `cpu_max` as the kernel takes them: written to the
 * service's cgroup (memory.max, memory.high, pids.max, cpu.weight, cpu.max). null = not set.
 */
export interface ServiceLimits {
  /** Bytes. */
  readonly memoryMax: number | null;
  /** Bytes. */
  readonly memoryHigh: number | null;
  /** Processes and threads, at least 1. */
  readonly pidsMax: number | null;
  /** 1..10000 (the kernel's default is 100). */
  readonly cpuWeight: number | null;
  /** CPU time per period, in microseconds: `50%` is 50000 of 100000. */
  readonly cpuMax: { readonly quotaUs: number; readonly periodUs: number } | null;
}

export const NO_LIMITS: ServiceLimits = { memoryMax: null, memoryHigh: null, pidsMax: null, cpuWeight: null, cpuMax: null };

/**
 * What kind of problem stopped a file before its keys were checked (a file that cannot be read, or
 * one refused for its size, encoding or shape), or marks a warning; key-level validation errors carry no code.
 */
export type ConfigErrorCode =
  | 'bad-name'
  | 'name-clash'
  | 'unreadable'
  | 'not-regular-file'
  | 'too-large'
  | 'not-utf8'
  | 'binary'
  | 'syntax'
  | 'duplicate-key'
  | 'too-deep'
  | 'too-many-aliases'
  | 'too-many-errors'
  /** A key zinit would ignore: a warning, never an error of its own. */
  | 'unknown-key'
  | 'too-many-warnings';

/** A problem with one service file, located for the operator. line/column are 1-based; 0 when unknown. */
export interface ConfigError {
  readonly file: string;
  readonly service: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly code?: ConfigErrorCode;
}

/**
 * A problem that does not stop a file from loading (an unknown key, which zinit ignores): the daemon
 * logs it and shows it in `status`; `check` counts it as an error.
 */
export type ConfigWarning = ConfigError;

/** Resolves a user or group name (or numeric string) to an id; null when it does not exist. */
export type IdentityResolver = (kind: 'user' | 'group', value: string) => number | null;

export interface LoadResult {
  /** Valid services, by name. */
  readonly services: Map<string, ServiceConfig>;
  /** Every problem found, one or more per bad file. Bad files are absent from `services`. */
  readonly errors: ConfigError[];
  /** Every warning, of good and bad files alike; a warning alone never keeps a file out of `services`. */
  readonly warnings: ConfigWarning[];
}
