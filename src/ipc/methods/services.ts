// service_*: zinit's service methods (and zinit-ts's statuses and tree), mapped onto the manager.
import { formatConfigError } from '../../config/format-error.js';
import { parseSignal } from '../../config/signals.js';
import type { ServiceStatus } from '../../supervisor/service-status.js';
import { buildProcessTree, type TreeNode } from '../../supervisor/process-tree.js';
import { runTagName } from '../../supervisor/transient-runs.js';
import type { StatusJson } from '../api-results.js';
import { zinitState } from '../zinit-state.js';
import { InvalidSignalError, ServiceAlreadyMonitoredError, ServiceConfigError, ServiceNotFoundError } from '../../errors/errors.js';
import type { HandlerDeps, HandlerGroup } from './handler-deps.js';
import { checkServiceName } from './service-name-check.js';
import type { ServiceManager } from '../../supervisor/manager.js';
import { statsOf } from './service-stats.js';

type ServiceMethod =
  | 'service_list'
  | 'service_statuses'
  | 'service_status'
  | 'service_start'
  | 'service_stop'
  | 'service_restart'
  | 'service_monitor'
  | 'service_forget'
  | 'service_kill'
  | 'service_stats'
  | 'service_tree';

/** zinit-ts's form: the plain state word, the last exit beside it. */
export function statusJson(s: ServiceStatus): StatusJson {
  const exit = s.exit === null ? null : { code: s.exit.code, signal: s.exit.signal, ...(s.exit.oomKill === true ? { oomKill: true } : {}) };
  const containment = s.containment === null ? {} : { containment: { cgroup: s.containment.cgroup, ...(s.containment.why === undefined ? {} : { why: s.containment.why }), limits: { enforced: [...s.containment.limits.enforced], notEnforced: s.containment.limits.notEnforced.map((n) => ({ ...n })) } } };
  return { name: s.name, pid: s.pid ?? 0, state: s.state, target: s.target, after: s.after, exit, restarts: s.restarts, reason: s.reason, oneshot: s.oneshot, warnings: [...s.warnings], health: { ...s.health }, ...containment, oomKills: s.oomKills };
}

/** zinit's form: states as zinit words them (`Error(Exited(Pid(N), 3))`), its own and its dependencies'. */
function zinitStatusJson(manager: ServiceManager, s: ServiceStatus): StatusJson {
  const after: Record<string, string> = {};
  for (const [dep, state] of Object.entries(s.after)) after[dep] = manager.has(dep) ? zinitStateOf(manager.status(dep)) : state;
  return { ...statusJson(s), state: zinitStateOf(s), after };
}

function zinitStateOf(s: ServiceStatus): string {
  return zinitState(s.state, s.exit);
}

export function serviceHandlers(d: HandlerDeps): HandlerGroup<ServiceMethod> {
  const { manager } = d;
  return {
    service_list: () => Object.fromEntries(manager.list().map((s) => [s.name, zinitStateOf(s)])),
    service_statuses: (p) => {
      const all: StatusJson[] = [
        ...manager.list().map(statusJson),
        ...d.transientRuns.list().map((r) => ({ name: `run:${r.name}`, pid: r.pid, state: 'Running', target: 'Up', after: {}, exit: null, restarts: 0, reason: null, oneshot: true, warnings: [], transient: true })),
      ];
      if (p.name == null) return all;
      // `status NAME` asks for one: one entry on the wire, not every service's.
      const one = all.filter((s) => s.name === p.name);
      if (one.length === 0) throw new ServiceNotFoundError(p.name);
      return one;
    },
    service_status: (p) => zinitStatusJson(manager, manager.status(p.name)),
    service_start: (p) => {
      manager.start(p.name);
      return null;
    },
    service_stop: async (p) => {
      const r = await manager.stop(p.name);
      if (p.report !== true || !r.hadProcess) return null;
      return { signal: r.signal, durationMs: Math.round(r.durationMs), sigkill: r.sigkill, descendants: r.descendants };
    },
    service_restart: async (p) => {
      await manager.restart(p.name);
      return null;
    },
    service_monitor: async (p) => {
      checkServiceName('monitoring service', p.name);
      if (manager.has(p.name)) throw new ServiceAlreadyMonitoredError(p.name);
      const { config, errors, warnings } = await d.loadService(p.name);
      if (!config) throw new ServiceConfigError(p.name, errors.map(formatConfigError));
      manager.monitor(config, warnings);
      return null;
    },
    service_forget: (p) => {
      manager.forget(p.name);
      d.logs.forget(p.name);
      return null;
    },
    service_kill: (p) => {
      const sig = parseSignal(p.signal);
      if (!sig) throw new InvalidSignalError(p.signal);
      manager.kill(p.name, sig);
      return null;
    },
    service_stats: (p) => statsOf(manager, d.table, p.name),
    service_tree: (p) => {
      const names = p.name === undefined ? manager.names() : [p.name];
      const out: Record<string, TreeNode[]> = {};
      for (const n of names) {
        const st = manager.status(n);
        out[n] = buildProcessTree(d.table.find(n, st.pid), st.pid, d.commandLine);
      }
      for (const r of p.name === undefined ? d.transientRuns.list() : []) out[r.name] = buildProcessTree(d.table.find(runTagName(r.id), r.pid), r.pid, d.commandLine);
      return out;
    },
  };
}
