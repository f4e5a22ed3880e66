// The environment of a service's processes (main, probe, post_stop): which variables come from where, and which wins.
import type { ServiceConfig } from '../config/types.js';

/** PATH for a service that drops privileges, as login(1) and systemd set it for a system user. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface ServiceAccount {
  readonly name: string;
  readonly home: string;
  readonly shell: string;
}

export interface EnvironmentSources {
  /** The daemon's own environment (a container's `-e` variables), without the daemon's tag variables. */
  readonly daemon: Readonly<Record<string, string>>;
  /** /etc/environment, read once when the daemon starts. */
  readonly system: Readonly<Record<string, string>>;
  /** The passwd entry of the service's user; null when the uid has none. */
  readonly account: ServiceAccount | null;
  /** The tag every process of the service carries; always last, so nothing can forge or drop it. */
  readonly tag: Readonly<Record<string, string>>;
}

/**
 * Later sources win. Without `user`, as zinit: the daemon's environment, /etc/environment, the
 * service's `env`. With `user` the daemon's secrets stay behind: PATH, HOME, USER, LOGNAME and SHELL of that
 * user, /etc/environment, the daemon variables named in `pass_env`, the service's `env`.
 * `pass_env` sits beneath `env`, as systemd's PassEnvironment= sits beneath Environment=.
 */
export function serviceEnvironment(config: Pick<ServiceConfig, 'user' | 'env' | 'passEnv'>, from: EnvironmentSources): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (vars: Readonly<Record<string, string>>): void => {
    // defineProperty, because assigning to a variable named __proto__ would drop it.
    for (const [k, v] of Object.entries(vars)) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  };
  if (config.user === null) {
    put(from.daemon);
    put(from.system);
  } else {
    const name = from.account?.name ?? config.user;
    put({ PATH: DEFAULT_PATH, HOME: from.account?.home ?? '/', USER: name, LOGNAME: name, SHELL: from.account?.shell ?? '/bin/sh' });
    put(from.system);
    for (const key of config.passEnv) if (Object.hasOwn(from.daemon, key)) put({ [key]: from.daemon[key] ?? '' });
  }
  put(config.env);
  put(from.tag);
  return out;
}
