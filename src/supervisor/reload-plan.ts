// What a re-read config directory changes: services added, removed and changed against those running.
import type { ConfigError, ServiceConfig } from '../config/types.js';

export interface ReloadResult {
  readonly added: string[];
  readonly removed: string[];
  readonly changed: string[];
  readonly errors: ConfigError[];
}

export interface ReloadPlan {
  readonly added: string[];
  readonly removed: string[];
  readonly changed: string[];
}

/** `current` are the services known now (name order), `configOf` their configs; `services` and `errors` the directory read again. */
export function planReload(
  current: readonly string[],
  configOf: (name: string) => ServiceConfig | undefined,
  services: ReadonlyMap<string, ServiceConfig>,
  errors: readonly ConfigError[],
): ReloadPlan {
  const erroredNames = new Set(errors.map((e) => e.service));
  const added: string[] = [];
  const removed: string[] = [];
  const changed: string[] = [];
  for (const name of current) {
    // A file that exists but no longer parses keeps its running service: the error is reported, nothing is lost.
    if (!services.has(name) && !erroredNames.has(name)) removed.push(name);
  }
  for (const [name, config] of services) {
    const known = configOf(name);
    if (!known) added.push(name);
    else if (!sameConfig(known, config)) changed.push(name);
  }
  return { added, removed, changed };
}

function sameConfig(a: ServiceConfig, b: ServiceConfig): boolean {
  const strip = (c: ServiceConfig): string => JSON.stringify({ ...c, source: '' });
  return strip(a) === strip(b);
}
