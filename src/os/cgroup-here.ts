// What `check` says of service limits on this machine: which the kernel would enforce under `init --cgroup auto`, and why not the others.
import type { ServiceConfig } from '../config/types.js';
import { CgroupLayout } from '../supervisor/cgroup-layout.js';
import { procContainment } from '../supervisor/containment.js';
import { cgroupFs } from './cgroup-fs.js';
import { detectCgroup } from './cgroup-detect.js';

export interface LimitLine {
  readonly enforced: boolean;
  readonly text: string;
}

/**
 * One line per service with limits, judged for a daemon started where this command runs. Nothing is made
 * or written.
 */
export function limitsHere(services: readonly ServiceConfig[]): LimitLine[] {
  const detected = detectCgroup({ setting: 'auto', instanceKey: 'check' });
  const out: LimitLine[] = [];
  if (detected.mode !== 'cgroup') {
    const port = procContainment(detected.why);
    for (const c of services) {
      const keys = port.ofService(c).limits.notEnforced.map((n) => n.key);
      out.push({ enforced: false, text: `${c.name}: ${keys.join(', ')} NOT enforced on this machine: ${detected.why}` });
    }
    return out;
  }
  // A base of its own making is offered what its cgroup hands its children (cgroup.subtree_control), which
  // the daemon never changes; a cgroup it owns whole, what that cgroup's parent hands it.
  const offeredFile = detected.base === detected.own ? `${detected.own}/cgroup.controllers` : `${detected.own}/cgroup.subtree_control`;
  const offered = (cgroupFs.read(offeredFile) ?? '').split(/\s+/).filter(Boolean);
  const layout = CgroupLayout.readOnly(cgroupFs, detected.own, offered);
  for (const c of services) {
    const r = layout.limitReport(c.limits);
    if (r.enforced.length > 0) out.push({ enforced: true, text: `${c.name}: ${r.enforced.join(', ')} enforced by the kernel` });
    const first = r.notEnforced[0];
    if (first !== undefined) out.push({ enforced: false, text: `${c.name}: ${r.notEnforced.map((n) => n.key).join(', ')} NOT enforced on this machine: ${first.why}` });
  }
  return out;
}
