// The work every manager is given: service command lines (scripts written to a temp dir), a stop grace, and how to tell it is all running.
import fs from 'node:fs';
import path from 'node:path';

export interface ServiceDef {
  readonly name: string;
  /** Run directly, no shell in between. */
  readonly argv: readonly string[];
}

export interface Workload {
  readonly services: readonly ServiceDef[];
  /** Grace between the stop signal and SIGKILL; null = each manager's own default. */
  readonly graceMs: number | null;
  /** Everything is up once, for each entry, `count` live processes have `match` in their command line. */
  readonly ready: readonly { match: string; count: number }[];
  /** Processes started in the namespace before the manager, outside its tree: the rest of a busy host. */
  readonly unrelated?: number;
}

/** The long sleep every workload's processes run: its command line is how they are counted. */
export const SLEEP = 'sleep 100000';
/** A worker's sleep, told apart from the main process's by its command line. */
export const WORKER_SLEEP = 'sleep 100001';
/** The command line of every unrelated process (see `withUnrelated`). */
export const UNRELATED = 'zinit-bench-unrelated';

const SCRIPTS: Record<string, string> = {
  'tree.sh': `#!/bin/sh
# One shell with N sleeping children.
n=$1; i=0
while [ "$i" -lt "$n" ]; do ${SLEEP} & i=$((i + 1)); done
wait
`,
  'escapee.sh': `#!/bin/sh
# Double fork: the setsid'd loop's parent dies at once, so it escapes the service's group and session.
( setsid /bin/sh "$(dirname "$0")/escapee-loop.sh" </dev/null >/dev/null 2>&1 & )
exec ${SLEEP}
`,
  'escapee-loop.sh': `#!/bin/sh
# Stops at once on TERM: a manager that finds it needs no grace.
trap 'exit 0' TERM
while :; do sleep 1 & wait $!; done
`,
  'env-cleared.sh': `#!/bin/sh
# What sudo, su - and env -i do in real scripts: a double-forked setsid loop with an empty environment
# (no tag, no parent chain, its own session): only the kernel still knows whose it is.
env -i /bin/sh -c "( setsid /bin/sh $(dirname "$0")/escapee-loop.sh </dev/null >/dev/null 2>&1 & )"
exec ${SLEEP}
`,
  'live-parent.sh': `#!/bin/sh
# A worker in a session of its own while its parent lives on (the parent never tells it to stop).
setsid ${WORKER_SLEEP} </dev/null >/dev/null 2>&1 &
${SLEEP}
`,
  'own-group.sh': `#!/bin/bash
# Job control: the worker runs in a process group of its own, in the service's session, under a live parent.
set -m
${WORKER_SLEEP} &
exec ${SLEEP}
`,
  'stubborn.sh': `#!/bin/sh
# Ignores TERM, and its children inherit that: only SIGKILL ends the tree.
trap '' TERM
${SLEEP} & ${SLEEP} &
while :; do wait; done
`,
};

function writeScripts(dir: string): string {
  const sdir = path.join(dir, 'scripts');
  fs.mkdirSync(sdir, { recursive: true });
  for (const [name, text] of Object.entries(SCRIPTS)) fs.writeFileSync(path.join(sdir, name), text, { mode: 0o755 });
  return sdir;
}

function named(count: number, prefix: string, argv: readonly string[]): ServiceDef[] {
  return Array.from({ length: count }, (_, i) => ({ name: `${prefix}${String(i).padStart(3, '0')}`, argv }));
}

/** `services` services, each a shell with `perService - 1` sleeping children. */
export function trees(dir: string, services: number, perService: number): Workload {
  const s = writeScripts(dir);
  return {
    services: named(services, 'tree', ['/bin/sh', path.join(s, 'tree.sh'), String(perService - 1)]),
    graceMs: null,
    ready: [{ match: SLEEP, count: services * (perService - 1) }],
  };
}

/** Services that each leave a setsid'd grandchild whose parent died. */
export function escapees(dir: string, services: number): Workload {
  const s = writeScripts(dir);
  return {
    services: named(services, 'esc', ['/bin/sh', path.join(s, 'escapee.sh')]),
    graceMs: null,
    ready: [
      { match: SLEEP, count: services },
      { match: 'escapee-loop.sh', count: services },
    ],
  };
}

/** Services that each leave an env-cleared, double-forked setsid loop (stops at once on TERM). */
export function envCleared(dir: string, services: number): Workload {
  const s = writeScripts(dir);
  return {
    services: named(services, 'envi', ['/bin/sh', path.join(s, 'env-cleared.sh')]),
    graceMs: null,
    ready: [
      { match: SLEEP, count: services },
      { match: 'escapee-loop.sh', count: services },
    ],
  };
}

/** Services whose worker runs in a session of its own under a live parent: `sh -c 'setsid worker & app'`. */
export function liveParent(dir: string, services: number): Workload {
  const s = writeScripts(dir);
  return {
    services: named(services, 'live', ['/bin/sh', path.join(s, 'live-parent.sh')]),
    graceMs: null,
    ready: [
      { match: SLEEP, count: services },
      { match: WORKER_SLEEP, count: services },
    ],
  };
}

/** Services whose worker is put in a process group of its own by the shell's job control (`set -m`). */
export function ownGroup(dir: string, services: number): Workload {
  const s = writeScripts(dir);
  return {
    services: named(services, 'grp', ['/bin/bash', path.join(s, 'own-group.sh')]),
    graceMs: null,
    ready: [
      { match: SLEEP, count: services },
      { match: WORKER_SLEEP, count: services },
    ],
  };
}

/** `work` on a busy host: `count` sleeping processes started before the manager, none of them its own. */
export function withUnrelated(work: Workload, count: number): Workload {
  return { ...work, unrelated: count, ready: [...work.ready, { match: UNRELATED, count }] };
}

/** Services whose whole tree ignores SIGTERM, with a short grace. */
export function stubborn(dir: string, services: number, graceMs: number): Workload {
  const s = writeScripts(dir);
  return {
    services: named(services, 'stub', ['/bin/sh', path.join(s, 'stubborn.sh')]),
    graceMs,
    ready: [{ match: SLEEP, count: services * 2 }],
  };
}

/** Idle services: one sleep each. */
export function idle(services: number): Workload {
  return {
    services: named(services, 'idle', ['/bin/sleep', '100000']),
    graceMs: null,
    ready: [{ match: SLEEP, count: services }],
  };
}
