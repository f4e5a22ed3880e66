// zinit-ts started by systemd with Type=notify: READY=1, STATUS= and STOPPING=1 on the socket systemd gave it (see tell-supervisor.ts).
import type { Logger } from '../log/logger-types.js';
import { sdNotify } from '../os/sd-notify.js';
import type { ServiceManager } from '../supervisor/manager.js';
import { READY_AT_THE_LATEST_MS, tellSupervisor } from './tell-supervisor.js';

/** null when nothing asked to be told (no NOTIFY_SOCKET). */
export function tellSystemd(manager: ServiceManager, logger: Logger, env: NodeJS.ProcessEnv = process.env): ReturnType<typeof tellSupervisor> | null {
  if (!env.NOTIFY_SOCKET) return null;
  let warned = false;
  return tellSupervisor({
    send: (text) =>
      sdNotify(text, env, (err) => {
        // Once: a supervisor that stopped listening is not worth a line per change.
        if (warned) return;
        warned = true;
        logger.warn('cannot notify the supervisor', { socket: env.NOTIFY_SOCKET, error: err.message, code: err.code });
      }),
    list: () => manager.list(),
    subscribe: (fn) => manager.subscribe(fn),
    setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
    now: () => performance.now(),
    onLateReady: (names) => logger.warn(`READY=1 sent to systemd with services still starting after ${READY_AT_THE_LATEST_MS / 1000} s`, { services: names.slice(0, 20), count: names.length }),
  });
}
