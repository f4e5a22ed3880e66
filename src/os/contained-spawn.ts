// cgroup mode's spawn: every process enters its leaf before the service's program runs, and an OOM kill is told apart.
import { CgroupError } from '../errors/cgroup-errors.js';
import { messageOf } from '../errors/message-of.js';
import type { CgroupLayout } from '../supervisor/cgroup-layout.js';
import type { ExitStatus, ProcessHandle, SpawnRequest } from '../supervisor/ports.js';
import { commandProblem, containedArgv } from './cgroup-shim.js';
import { primaryGroupOf } from './identity.js';
import { failed, isDirectory } from './spawn.js';

export interface ContainedSpawnOptions {
  readonly layout: CgroupLayout;
  /** util-linux's setpriv, for services that run as another user; null when there is none. */
  readonly setpriv: string | null;
  /** The plain spawn (own session, output, exact exit status) that starts the shim. */
  readonly spawn: (req: SpawnRequest) => ProcessHandle;
}

/**
 * Node cannot run code between fork and exec, so the process it starts is a shim that writes its own pid
 * to the leaf's cgroup.procs and then execs the program (see cgroup-shim.ts): nothing the program does,
 * its first fork included, happens outside the leaf. What a spawn would have reported (command not found,
 * not executable) is found before the shim would hide it.
 */
export function containedSpawn(opts: ContainedSpawnOptions): (req: SpawnRequest) => ProcessHandle {
  const { layout, setpriv, spawn } = opts;
  return (req) => {
    const [file] = req.argv;
    if (file === undefined) return spawn(req);
    // A missing working directory is the plain spawn's to report, before anything enters a leaf.
    if (!isDirectory(req.cwd)) return spawn(req);
    const problem = commandProblem(file, req.env, req.cwd);
    if (problem !== null) return failed(problem.message, problem.code);
    const leaf = layout.leafFor(req.service, req.role);
    let procsFile: string;
    try {
      procsFile = layout.enter(leaf, req.role === 'main' || req.role === 'test' ? (req.limits ?? null) : null);
    } catch (err) {
      return failed(`cannot make the cgroup ${leaf}: ${messageOf(err)}`, 1);
    }
    const gid = req.gid ?? (req.uid !== null ? primaryGroupOf(req.uid) : null);
    let shim: ReturnType<typeof containedArgv>;
    try {
      shim = containedArgv({ procsFile, argv: req.argv, env: req.env, uid: req.uid, gid, setpriv });
    } catch (err) {
      layout.exited(leaf);
      if (err instanceof CgroupError) return failed(err.message, 1);
      throw err;
    }
    let oomBefore: number | null = null;
    try {
      oomBefore = req.role === 'main' ? layout.oomKills(leaf) : null;
    } catch {
      oomBefore = null;
    }
    const h = spawn({ ...req, argv: [shim.file, ...shim.args], env: shim.env, uid: null, gid: null });
    const exited = h.exited.then((status): ExitStatus => {
      // Read before the leaf may go with its last process. `exited` never rejects: a cgroup file that cannot be
      // read here costs the OOM mark, never the exit status.
      let oomAfter: number | null;
      try {
        oomAfter = oomBefore !== null && status.signal === 'SIGKILL' ? layout.oomKills(leaf) : null;
      } catch {
        oomAfter = null;
      }
      layout.exited(leaf);
      return oomAfter !== null && oomBefore !== null && oomAfter > oomBefore ? { ...status, oomKill: true } : status;
    });
    return {
      pid: h.pid,
      exited,
      get spawnError() {
        return h.spawnError;
      },
      ...(h.pauseOutput ? { pauseOutput: () => h.pauseOutput?.() } : {}),
      ...(h.resumeOutput ? { resumeOutput: () => h.resumeOutput?.() } : {}),
    };
  };
}
