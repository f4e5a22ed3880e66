// service_*: zinit's service methods (and zinit-ts's statuses and tree), mapped onto the manager.
import { formatConfigError } from '../../config/format-error.js';
import { parseSignal } from '../../config/signals.js';
import type { ServiceStatus } from '../../supervisor/service-status.js';
import { buildProcessTree, type TreeNode } from '../../supervisor/process-tree.js';
import { runTagName } from '../../supervisor/transient-runs.js';
import { sampleTreeUsage } from '../../os/tree-usage.js';
import type { StatusJson } from '../api-results.js';
import { InvalidSignalError, ServiceAlreadyMonitoredError, ServiceConfigError, ServiceIsDownError } from '../../errors/errors.js';
import type { HandlerDeps, HandlerGroup } from './handler-deps.js';

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

export function statusJson(s: ServiceStatus): StatusJson {
  return { name: s.name, pid: s.pid ?? 0, state: s.state, target: s.target, after: s.after, exit: s.exit, restarts: s.restarts, reason: s.reason, oneshot: s.oneshot, warnings: [...s.warnings] };
}

export function serviceHandlers(d: HandlerDeps): HandlerGroup<ServiceMethod> {
  const { manager } = d;
  return {
    service_list: () => Object.fromEntries(manager.list().map((s) => [s.name, s.state])),
    service_statuses: () => [
      ...manager.list().map(statusJson),
      ...d.transientRuns.list().map((r) => ({ name: `run:${r.name}`, pid: r.pid, state: 'Running', target: 'Up', after: {}, exit: null, restarts: 0, reason: null, oneshot: true, warnings: [], transient: true })),
    ],
    service_status: (p) => statusJson(manager.status(p.name)),
    service_start: (p) => {
      manager.start(p.name);
      return null;
    },
    service_stop: async (p) => {
      const r = await manager.stop(p.name);
      return r.hadProcess ? { signal: r.signal, durationMs: Math.round(r.durationMs), sigkill: r.sigkill, descendants: r.descendants } : null;
    },
    service_restart: async (p) => {
      await manager.restart(p.name);
      return null;
    },
    service_monitor: async (p) => {
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
    service_stats: async (p) => {
      const st = manager.status(p.name);
      const procs = d.table.find(p.name, st.pid);
      if (procs.length === 0) throw new ServiceIsDownError(p.name, 'sample');
      const { perProcess, ...usage } = await sampleTreeUsage(procs, 200);
      return {
        name: p.name,
        pid: st.pid ?? 0,
        memory_usage: usage.memoryBytes,
        cpu_usage: usage.cpuPercent,
        children: perProcess.map((u) => ({ pid: u.pid, memory_usage: u.memoryBytes, cpu_usage: u.cpuPercent })),
        ...usage,
      };
    },
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
