// What the supervisor needs from the outside world, as interfaces: the real OS is wired in by the daemon, tests pass fakes.
import type { Probe, ServiceLimits } from '../config/types.js';

export interface ExitStatus {
  /** Exit code, or null when killed by a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Killed by the kernel's OOM killer (its cgroup's memory.events counted the kill); cgroup mode only. */
  readonly oomKill?: boolean;
}

export interface SpawnRequest {
  readonly service: string;
  readonly role: 'main' | 'test' | 'post-stop' | 'run';
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly uid: number | null;
  readonly gid: number | null;
  /** Where the process's stdout/stderr lines go; null = discard. */
  readonly output: ((stream: 'stdout' | 'stderr', text: string) => void) | null;
  /**
   * `notify: fd`: the process gets the write end of a pipe as its fd 3, and what it writes there is
   * passed here as it arrives (chunks, not lines; nothing is kept). Absent: no fd 3.
   */
  readonly notifyFd?: ((text: string) => void) | null;
  /** The service's kernel limits, for its main process and probes (cgroup mode writes them to its leaf). */
  readonly limits?: ServiceLimits;
}

export interface ProcessHandle {
  /** 0 when the process could not be created (see `exited` for the code: 127 not found, 126 not executable). */
  readonly pid: number;
  /** Resolves once with the true exit status. Never rejects. */
  readonly exited: Promise<ExitStatus>;
  /** Why the spawn failed, when it did. */
  readonly spawnError: string | null;
  /** Stops reading the process's output (its pipe fills and its writes block) until `resumeOutput`. */
  pauseOutput?(): void;
  resumeOutput?(): void;
}

export interface ProcessPort {
  spawn(req: SpawnRequest): ProcessHandle;
  /** Signal a whole process group; a group that is gone is not an error. */
  signalGroup(pgid: number, signal: NodeJS.Signals): void;
  /** Signal one process spawned here (its pid cannot be reused before its exit event); gone is not an error. */
  signalProcess(pid: number, signal: NodeJS.Signals): void;
}

/** A process found in the process table, identified by pid and start time so a reused pid is never hit. */
export interface TrackedProcess {
  readonly pid: number;
  readonly startTime: number;
  readonly ppid: number;
  readonly pgrp: number;
  readonly session: number;
  readonly comm: string;
  readonly state: string;
  /** Found only by the environment tag: outside the group and session, no parent chain to the main process. */
  readonly escaped: boolean;
  /** The main process itself or one of its descendants: its parent chain still reaches the main process. */
  readonly underMain: boolean;
}

/** One fresh walk's view of a service. */
export interface Look {
  readonly procs: TrackedProcess[];
  /**
   * false when the walk met a child of ours that had exited and was not yet reaped: its children, reparented
   * to us while the walk ran, may be missing from it. Such a walk cannot show that a service is gone; the
   * child's exit event follows it and the walk after that one can.
   */
  readonly settled: boolean;
}

export interface ProcessTablePort {
  /**
   * Every process of ours descends from this one (it is PID 1 or a child subreaper and the table walks its
   * subtree): the last of a service's processes to die is then always a child of ours, so a child event
   * (see ChildEventsPort) follows it and a stop needs no poll.
   */
  readonly subtree: boolean;
  /** Every live process that belongs to the service: its group, session, descendants and tagged escapees (a recent view). */
  find(service: string, mainPid: number | null): TrackedProcess[];
  /**
   * The same from a walk of the process table that starts after this call: nothing that existed at the call
   * is missed. Requests made together share one walk, so many services stopping at once cost one scan.
   */
  findFresh(service: string, mainPid: number | null): Promise<TrackedProcess[]>;
  /** findFresh, and whether that walk can show that nothing is left (see Look.settled). */
  lookFresh(service: string, mainPid: number | null): Promise<Look>;
  /** Of `procs`, the ones still alive and still the same process (start time unchanged). */
  alive(procs: readonly TrackedProcess[]): TrackedProcess[];
  /** Signal each process that is still the same one; returns how many were signalled. */
  signal(procs: readonly TrackedProcess[], signal: NodeJS.Signals): number;
  /**
   * Where the kernel keeps the service's processes (cgroup mode): calls `fn` when its population changes
   * (the last process gone), until the returned function is called.
   */
  watch?(service: string, fn: () => void): () => void;
  /** Where the kernel can: SIGKILL to every process of the service at once (cgroup.kill); false when it cannot. */
  killAll?(service: string): boolean;
  /** The kernel's own accounting of the service (cgroup mode): memory.current and cpu.stat's usage_usec, each null where absent. */
  usage?(service: string): { readonly memoryBytes: number | null; readonly cpuUsec: number | null };
}

/** Says that a child of ours changed state (SIGCHLD): a walk of the process table begun after it sees the change. */
export interface ChildEventsPort {
  /** Calls `fn` after each such event until the returned function is called. */
  subscribe(fn: () => void): () => void;
}

/** How one probe run ended. */
export interface ProbeOutcome {
  readonly ok: boolean;
  /** Why it failed, for the log and `status` (e.g. "HTTP 500", "connection refused", "no answer within 2 s"); null when ok. */
  readonly error: string | null;
}

/** One run of a network probe: settles once, never rejects; cancel() ends it at once (it then resolves as failed). */
export interface ProbeRun {
  readonly result: Promise<ProbeOutcome>;
  cancel(): void;
}

export type NetProbe = Extract<Probe, { kind: 'http' | 'tcp' }>;

/** HTTP and TCP probes, run by the daemon itself. */
export interface NetProbePort {
  /** Starts one probe, which fails when it has not passed within timeoutMs. */
  run(probe: NetProbe, timeoutMs: number): ProbeRun;
}

/** The socket one run of a `notify: systemd` service talks to. */
export interface NotifyChannel {
  /** Variables the service's main process gets (NOTIFY_SOCKET). */
  readonly env: Readonly<Record<string, string>>;
  /** Stops listening and removes the socket; safe to call twice. */
  close(): void;
}

/** Where `notify: systemd` services send READY=1, STATUS=… (sd_notify's datagrams). */
export interface NotifyPort {
  /**
   * Opens a socket of its own for one run of `service`; every datagram received on it is passed to
   * `onMessage` as its KEY=VALUE lines (later keys win), never blocking the event loop. Throws an
   * error with a code when no socket can be made.
   */
  open(service: string, onMessage: (fields: ReadonlyMap<string, string>) => void): NotifyChannel;
}

/**
 * The cgroup v2 filesystem, as the layout of a daemon's cgroups needs it (cgroup mode). Paths are absolute.
 * Every call is synchronous (cgroupfs lives in memory, a call costs microseconds) and fails with a
 * CgroupError (code CGROUP_IO, errno set); none blocks on a process.
 */
export interface CgroupFs {
  /** Creates the directory (one level); one that exists already is not an error. */
  mkdir(dir: string): void;
  /** Removes an empty cgroup: true once it is gone (or was already), false while it holds processes or cgroups (EBUSY). */
  rmdir(dir: string): boolean;
  /** The whole file, or null when it does not exist (a cgroup removed meanwhile, a controller not enabled). */
  read(file: string): string | null;
  /** One write(2) of `text`; the kernel's refusal is thrown (EBUSY, EINVAL, EOPNOTSUPP, ENOENT, …). */
  write(file: string, text: string): void;
  /** The names of the directories (child cgroups) in `dir`; empty when it does not exist. */
  children(dir: string): string[];
  /**
   * Calls `onChange` whenever the kernel says the file changed (inotify: cgroup.events when `populated`
   * flips, memory.events on an OOM kill), until the returned function is called. A file that cannot be
   * watched (gone) gives a function that does nothing and no calls.
   */
  watch(file: string, onChange: () => void): () => void;
}

export type TimerHandle = { readonly __timer: unique symbol } | object;

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};
