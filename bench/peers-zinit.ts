// zinit-ts under test: one YAML file per service, `init --container`, stopped by SIGTERM to the daemon.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Peer, Probe } from './peers.js';

/** The compiled CLI, next to this compiled bench (dist/bench → dist/src). */
export const ZINIT_CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.js');

function version(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(ZINIT_CLI), '..', '..', '..', 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown version';
  } catch {
    return 'unknown version';
  }
}

export const zinitPeer: Peer = zinitPeerWith([]);

/** zinit-ts with extra `init` arguments (e.g. `--cgroup off`). */
export function zinitPeerWith(initArgs: readonly string[]): Peer {
  return {
  name: 'zinit-ts',
  probe: (): Promise<Probe> =>
    Promise.resolve(fs.existsSync(ZINIT_CLI) ? { present: true, version: version() } : { present: false, why: `${ZINIT_CLI} missing (npx tsc -p tsconfig.json)` }),
  launch: async (ns, dir, work) => {
    const conf = path.join(dir, 'zinit');
    fs.mkdirSync(conf, { recursive: true });
    for (const s of work.services) {
      const lines = [`exec: "${s.argv.join(' ')}"`];
      if (work.graceMs !== null) lines.push(`shutdown_timeout: ${work.graceMs / 1000}`);
      fs.writeFileSync(path.join(conf, `${s.name}.yaml`), `${lines.join('\n')}\n`);
    }
    const socket = path.join(dir, 'zinit.sock');
    const pid = await ns.start([process.execPath, ZINIT_CLI, '-s', socket, 'init', '-c', conf, '--container', ...initArgs], path.join(dir, 'manager.log'));
    return {
      pid,
      stop: { signal: 'SIGTERM' },
      stopLabel: 'SIGTERM to the daemon',
      measuredPids: () => Promise.resolve([pid]),
      statusCommand: { argv: [process.execPath, ZINIT_CLI, '-s', socket, 'list'] },
      socket,
    };
  },
};
}
