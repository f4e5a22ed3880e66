// system_shutdown, system_reboot, system_reload: the manager as a whole.
import { formatConfigError } from '../../config/format-error.js';
import type { ShutdownOutcome } from '../api-results.js';
import type { HandlerDeps, HandlerGroup, ShutdownKind } from './handler-deps.js';

async function shutdown(d: HandlerDeps, kind: ShutdownKind, wait: boolean): Promise<ShutdownOutcome | null> {
  const outcome = d.requestShutdown(kind);
  return wait ? await outcome : null;
}

export function systemHandlers(d: HandlerDeps): HandlerGroup<'system_shutdown' | 'system_reboot' | 'system_reload'> {
  return {
    system_shutdown: (p) => shutdown(d, 'poweroff', p.wait === true),
    system_reboot: (p) => shutdown(d, 'reboot', p.wait === true),
    system_reload: async () => {
      const loaded = await d.loadConfig();
      const r = await d.manager.reload(loaded.services, loaded.errors, loaded.warnings);
      return { added: r.added, removed: r.removed, changed: r.changed, errors: r.errors.map(formatConfigError) };
    },
  };
}
