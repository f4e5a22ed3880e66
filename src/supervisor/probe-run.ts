// One run of a health probe of any form: a command run as a process of the service, or an HTTP or TCP check by the daemon.
import type { Probe, ServiceConfig } from '../config/types.js';
import type { Clock, ExitStatus, NetProbePort, ProbeOutcome, ProcessPort } from './ports.js';
import { serviceSpawnRequest, type ServiceProcessDeps } from './spawn-request.js';

export interface ProbeDeps extends ServiceProcessDeps {
  readonly proc: ProcessPort;
  readonly clock: Clock;
  /** Absent: http and tcp probes fail with a reason (only a wiring without network probes lacks it). */
  readonly netProbe?: NetProbePort;
}

export interface ProbeResult extends ProbeOutcome {
  /** The probe cannot pass as written (its command cannot be run at all), however often it is tried. */
  readonly unrunnable: boolean;
}

export interface StartedProbe {
  readonly result: Promise<ProbeResult>;
  /** Ends the run at once: a command's process group is killed, a connection closed. */
  cancel(): void;
}

/** Exit codes a shell gives when a command cannot be run. */
const NOT_FOUND = 127;
const NOT_EXECUTABLE = 126;

/** Starts one run of `probe`, which fails if it has not passed within `c.testTimeoutMs`. */
export function startProbe(deps: ProbeDeps, c: ServiceConfig, probe: Probe): StartedProbe {
  if (probe.kind === 'command') return startCommand(deps, c, probe.argv);
  if (!deps.netProbe) {
    const error = `${probe.kind} probes are not available in this build`;
    return { result: Promise.resolve({ ok: false, error, unrunnable: true }), cancel: () => {} };
  }
  const run = deps.netProbe.run(probe, c.testTimeoutMs);
  return { result: run.result.then((o) => ({ ...o, unrunnable: false })), cancel: () => run.cancel() };
}

function startCommand(deps: ProbeDeps, c: ServiceConfig, argv: readonly string[]): StartedProbe {
  const handle = deps.proc.spawn(serviceSpawnRequest(deps, c, 'test', argv));
  let timedOut = false;
  let settled = false;
  const kill = (): void => {
    if (handle.pid > 0) deps.proc.signalGroup(handle.pid, 'SIGKILL');
  };
  const timer = deps.clock.setTimeout(() => {
    timedOut = true;
    kill();
  }, c.testTimeoutMs);
  const result = handle.exited.then((status): ProbeResult => {
    settled = true;
    deps.clock.clearTimeout(timer);
    if (status.code === 0 && !timedOut) return { ok: true, error: null, unrunnable: false };
    if (handle.spawnError) return { ok: false, error: handle.spawnError, unrunnable: true };
    if (timedOut) return { ok: false, error: `no answer within ${seconds(c.testTimeoutMs)} (killed)`, unrunnable: false };
    const unrunnable = status.code === NOT_FOUND || status.code === NOT_EXECUTABLE;
    return { ok: false, error: describeExit(status), unrunnable };
  });
  return {
    result,
    cancel: () => {
      if (settled) return;
      deps.clock.clearTimeout(timer);
      kill();
    },
  };
}

function describeExit(status: ExitStatus): string {
  if (status.signal) return `killed by ${status.signal}`;
  if (status.code === NOT_FOUND) return 'exit 127 (command not found)';
  if (status.code === NOT_EXECUTABLE) return 'exit 126 (not executable)';
  return `exit ${status.code ?? '?'}`;
}

function seconds(ms: number): string {
  return `${ms % 1000 === 0 ? ms / 1000 : (ms / 1000).toFixed(1)} s`;
}

/** The readiness check of a service: `ready:`, or zinit's `test:` as a command probe; null when it has neither. */
export function readinessProbe(c: ServiceConfig): Probe | null {
  if (c.ready) return c.ready;
  if (c.testArgv) return { kind: 'command', line: c.test ?? c.testArgv.join(' '), argv: c.testArgv };
  return null;
}
