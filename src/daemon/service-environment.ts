// One environment for the main process, the probe and post_stop of a service: the daemon's own without our tags, the system file, the account, the service's tag.
import type { ServiceConfig } from '../config/types.js';
import { accountOf } from '../os/identity.js';
import { tagEnv, TAG_INSTANCE, TAG_SERVICE, TAG_SOCKET, type DaemonTag } from '../os/process-tag.js';
import { serviceEnvironment } from '../supervisor/service-env.js';

/**
 * Never passed on: the tags a daemon that started us may have left, and the readiness channel our
 * own supervisor gave us (a service would speak for zinit-ts; those that notify get their own).
 */
const NOT_INHERITED: ReadonlySet<string> = new Set([TAG_SERVICE, TAG_INSTANCE, TAG_SOCKET, 'NOTIFY_SOCKET', 'NOTIFY_FD']);

/** The daemon's environment, less what a service must not inherit (NOT_INHERITED). */
export function daemonEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !NOT_INHERITED.has(k)) out[k] = v;
  return out;
}

export interface DaemonEnvironments {
  readonly daemon: Record<string, string>;
  /** From the system environment file. */
  readonly system: Readonly<Record<string, string>>;
  readonly tag: DaemonTag;
}

export function environmentOf(sources: DaemonEnvironments): (c: ServiceConfig) => Record<string, string> {
  return (c) => serviceEnvironment(c, { daemon: sources.daemon, system: sources.system, account: c.uid === null ? null : accountOf(c.uid), tag: tagEnv(sources.tag, c.name) });
}
