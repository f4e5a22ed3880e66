// The pids that Node's child_process is waiting for, so that the reaper never takes one of them.
import { ChildProcess } from 'node:child_process';
import { isMainThread } from 'node:worker_threads';

export interface ChildRegistry {
  /** True while libuv still has to reap `pid` (the child has not reported its exit yet). */
  has(pid: number): boolean;
  readonly size: number;
  pids(): number[];
}

type SpawnFn = (this: ChildProcess, ...args: unknown[]) => unknown;

// Shared through the global symbol registry so that two copies of this module still install one wrapper.
const INSTALLED = Symbol.for('zinit-ts.child-registry');

// spawn is Node's internal entry point, present on the prototype though absent from the public typings.
interface Patched {
  spawn: SpawnFn;
  [INSTALLED]?: ChildRegistry;
}

// A ChildProcess records exitCode or signalCode in its native onexit, which libuv calls only after its own
// waitpid() took the pid. Until then the pid is libuv's, whatever listeners user code removed or added.
const stillOwned = (child: ChildProcess): boolean => child.exitCode === null && child.signalCode === null;

interface RegistryStore {
  registry: ChildRegistry;
  add: (pid: number, child: ChildProcess) => void;
  remove: (pid: number, child: ChildProcess) => void;
}

function createRegistry(): RegistryStore {
  // A Set per pid: libuv reaps a batch of children before it runs their exit callbacks, so a spawn made in one
  // child's 'exit' handler can reuse the pid of another whose 'exit' has not fired yet.
  const byPid = new Map<number, Set<ChildProcess>>();
  // Also prunes entries whose 'exit' listener was removed by user code and so will never be cleaned up.
  const live = (pid: number): boolean => {
    const children = byPid.get(pid);
    if (!children) return false;
    for (const child of children) {
      if (stillOwned(child)) return true;
      children.delete(child);
    }
    byPid.delete(pid);
    return false;
  };
  return {
    registry: {
      has: live,
      get size() {
        let n = 0;
        for (const pid of byPid.keys()) if (live(pid)) n++;
        return n;
      },
      pids: () => [...byPid.keys()].filter(live),
    },
    add(pid, child) {
      const children = byPid.get(pid);
      if (children) children.add(child);
      else byPid.set(pid, new Set([child]));
    },
    remove(pid, child) {
      const children = byPid.get(pid);
      if (!children) return;
      children.delete(child);
      if (children.size === 0) byPid.delete(pid);
    },
  };
}

/**
 * Wraps ChildProcess.prototype.spawn, the one path that spawn, exec, execFile and fork (ours and any library's)
 * go through, so every child is registered before control returns to the caller. Idempotent.
 * spawnSync/execSync are not wrapped: they block the event loop, so the reaper cannot run while they wait.
 */
export function installChildRegistry(): ChildRegistry {
  const proto = ChildProcess.prototype as unknown as Patched;
  const existing = proto[INSTALLED];
  if (existing) return existing;

  const { registry, add, remove } = createRegistry();
  const original = proto.spawn;
  if (typeof original !== 'function') {
    throw new Error('ChildProcess.prototype.spawn is missing in this Node.js version: child processes cannot be tracked, so orphans cannot be reaped safely');
  }

  const wrapped: SpawnFn = isMainThread
    ? function spawn(this: ChildProcess, ...args: unknown[]): unknown {
        const result = original.apply(this, args);
        const pid = this.pid;
        if (typeof pid === 'number' && pid > 0) {
          add(pid, this);
          // Prepended so that a throwing user listener cannot keep a stale entry alive.
          this.prependOnceListener('exit', () => remove(pid, this));
        }
        return result;
      }
    : function spawn(): never {
        // A worker has its own ChildProcess.prototype, so its children never reach the main thread's registry:
        // the main thread's reaper would take their exit statuses and the worker's 'exit' events would never fire.
        throw new Error(
          'child_process spawn from a worker thread is refused under zinit-ts: the process reaper only knows ' +
            "the main thread's children and would steal this child's exit status. Spawn from the main thread " +
            'and pass the result to the worker instead.',
        );
      };

  proto.spawn = wrapped;
  Object.defineProperty(proto, INSTALLED, { value: registry, enumerable: false });
  return registry;
}
