// Chooses cgroup mode or /proc discovery at start (init --cgroup, --require-cgroup), and sets up the daemon's cgroups.
import { CgroupError } from '../errors/cgroup-errors.js';
import { messageOf } from '../errors/message-of.js';
import type { Logger } from '../log/logger-types.js';
import { cgroupInstanceKey, detectCgroup, managerHolders } from '../os/cgroup-detect.js';
import { cgroupFs } from '../os/cgroup-fs.js';
import { findSetpriv, shimProblem } from '../os/cgroup-shim.js';
import { CgroupLayout, LAYOUT_DIRS } from '../supervisor/cgroup-layout.js';
import { cgroupContainment, describeContainment, procContainment, type ContainmentPort } from '../supervisor/containment.js';

export interface ContainmentChoice {
  readonly port: ContainmentPort;
  /** Set in cgroup mode. */
  readonly layout: CgroupLayout | null;
  readonly setpriv: string | null;
}

export interface ContainmentSettings {
  /** auto, off, or a cgroup directory. */
  readonly setting: string;
  readonly required: boolean;
  readonly socketPath: string;
}

/** The mode in force, said once in the log; throws a CgroupError when a required or named cgroup cannot be used. */
export function chooseContainment(s: ContainmentSettings, logger: Logger): ContainmentChoice {
  const explicit = s.setting !== 'auto' && s.setting !== 'off';
  const fallback = (why: string): ContainmentChoice => {
    if (s.required || explicit) throw new CgroupError('CGROUP_UNAVAILABLE', `cgroup mode is not possible: ${why}${s.required ? ' (init --require-cgroup)' : ''}`);
    const port = procContainment(why);
    logger[s.setting === 'off' ? 'info' : 'warn'](`containment: ${describeContainment(port.mode)}`);
    return { port, layout: null, setpriv: null };
  };
  const detected = detectCgroup({ setting: s.setting, instanceKey: cgroupInstanceKey(s.socketPath), isOurs: (name) => LAYOUT_DIRS.includes(name) || name.startsWith('zinit-ts') });
  if (detected.mode === 'error') throw new CgroupError('CGROUP_UNAVAILABLE', detected.why);
  if (detected.mode === 'proc') return fallback(detected.why);
  // Another daemon lives in this base (the same socket, or the same --cgroup PATH): its services are not leftovers.
  const holders = managerHolders(detected.base);
  if (holders.length > 0) return fallback(`${detected.base} belongs to another running zinit-ts (process ${holders[0] ?? '?'} in its manager/); give this one its own --cgroup PATH or socket`);
  const missing = shimProblem();
  if (missing !== null) return fallback(missing);
  const layout = new CgroupLayout({
    fs: cgroupFs,
    base: detected.base,
    selfPid: process.pid,
    // A directory of our own making inside our cgroup: we go back there at exit and remove it.
    home: detected.base === detected.own ? null : detected.own,
    onError: (err) => logger.warn('cgroup left in place', { path: err.path, errno: err.errno, error: err.message }),
  });
  try {
    layout.setUp();
  } catch (err) {
    return fallback(`${detected.base} cannot be set up: ${messageOf(err)}`);
  }
  const port = cgroupContainment(layout, s.required);
  logger.info(`containment: ${describeContainment(port.mode)}`);
  return { port, layout, setpriv: findSetpriv() };
}
