// How the daemon keeps track of its services' processes: cgroup mode (a leaf per service) or /proc discovery, and what it says of a service's limits.
import type { ServiceConfig } from '../config/types.js';
import { setLimitKeys, type CgroupLayout, type LimitReport } from './cgroup-layout.js';

export type Containment =
  /** Every service in a cgroup of its own under `base`; limits through `controllers`. */
  | { readonly mode: 'cgroup'; readonly base: string; readonly controllers: readonly string[] }
  /** Services found through /proc (group, session, descendants, environment tag); `why` says why not cgroups and how to get them. */
  | { readonly mode: 'proc'; readonly why: string };

/** What `status` says of one service's containment. */
export interface ServiceContainment {
  /** Its leaf (cgroup mode), or null. */
  readonly cgroup: string | null;
  /** Outside cgroup mode: why the daemon finds processes through /proc instead. */
  readonly why?: string;
  readonly limits: LimitReport;
}

export interface ContainmentPort {
  readonly mode: Containment;
  ofService(c: ServiceConfig): ServiceContainment;
  /** Why the service may not start (`--require-cgroup` and a limit the kernel cannot enforce), or null. */
  refusal(c: ServiceConfig): string | null;
}

function refusalOf(report: LimitReport, required: boolean): string | null {
  const first = report.notEnforced[0];
  if (!required || first === undefined) return null;
  return `${report.notEnforced.map((n) => n.key).join(', ')} cannot be enforced here (${first.why}); init --require-cgroup refuses to run it without: remove the limit or run where the kernel can enforce it`;
}

export function cgroupContainment(layout: CgroupLayout, required: boolean): ContainmentPort {
  const mode: Containment = { mode: 'cgroup', base: layout.base, controllers: layout.controllers };
  return {
    mode,
    ofService: (c) => ({ cgroup: layout.serviceLeaf(c.name), limits: layout.limitReport(c.limits) }),
    refusal: (c) => refusalOf(layout.limitReport(c.limits), required),
  };
}

export function procContainment(why: string): ContainmentPort {
  const mode: Containment = { mode: 'proc', why };
  const reason = `zinit-ts is not in cgroup mode: ${why}`;
  const report = (c: ServiceConfig): LimitReport => ({ enforced: [], notEnforced: setLimitKeys(c.limits).map((key) => ({ key, why: reason })) });
  return { mode, ofService: (c) => ({ cgroup: null, why, limits: report(c) }), refusal: () => null };
}

/** One line for the log and `status`: which mode is in force. */
export function describeContainment(m: Containment): string {
  if (m.mode === 'cgroup') return `cgroup mode in ${m.base} (limit controllers: ${m.controllers.length > 0 ? m.controllers.join(', ') : 'none'})`;
  return `/proc discovery: ${m.why}`;
}
