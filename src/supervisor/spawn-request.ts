// The spawn request for any process of a service (main, probe, post_stop): its identity, directory, environment and output.
import type { ServiceConfig } from '../config/types.js';
import type { SpawnRequest } from './ports.js';

export interface ServiceProcessDeps {
  readonly env: (config: ServiceConfig) => Record<string, string>;
  readonly output: (config: ServiceConfig) => SpawnRequest['output'];
}

export function serviceSpawnRequest(deps: ServiceProcessDeps, c: ServiceConfig, role: SpawnRequest['role'], argv: readonly string[]): SpawnRequest {
  return { service: c.name, role, argv, env: deps.env(c), cwd: c.dir, uid: c.uid, gid: c.gid, output: deps.output(c), ...(role === 'post-stop' ? {} : { limits: c.limits }) };
}
