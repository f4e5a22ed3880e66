// How a service's process enters its cgroup before its program runs: /bin/sh writes its own pid to cgroup.procs, then execs the program with the exact environment.
import fs from 'node:fs';
import path from 'node:path';
import { CgroupError } from '../errors/cgroup-errors.js';
import { errnoOf } from '../errors/errno.js';
import { describeSpawnError, NOT_EXECUTABLE, NOT_FOUND } from './spawn.js';

/** Exit status of the shim when the process could not enter its cgroup (no program has run). */
export const CANNOT_ENTER_CGROUP = 125;

/**
 * libuv searches this when the child's environment has no PATH (_PATH_DEFPATH); glibc's execvp, which env
 * uses, searches /bin:/usr/bin instead (confstr _CS_PATH).
 */
const LIBUV_DEFAULT_PATH = '/usr/bin:/bin';
const GLIBC_DEFAULT_PATH = '/bin:/usr/bin';
const SHELL = '/bin/sh';
const ENV = '/usr/bin/env';
// `$0` is the cgroup.procs file. echo is a builtin, so the pid written is the shell's, which the exec
// below keeps for the program: the pid spawn() returns. A failed open or write leaves nothing run.
export const SHIM_SCRIPT = 'echo $$ > "$0" || exit 125; exec "$@"';
const SETPRIV_CANDIDATES = ['/usr/bin/setpriv', '/bin/setpriv', '/usr/sbin/setpriv', '/sbin/setpriv', '/usr/local/bin/setpriv'];

export interface ContainedRequest {
  /** The cgroup.procs file of the service's leaf cgroup. */
  readonly procsFile: string;
  /** The program and its arguments; argv[0] reaches the program exactly as given. */
  readonly argv: readonly string[];
  /** The program's whole environment, exactly. */
  readonly env: Readonly<Record<string, string>>;
  /** Drop to this uid / gid before the program runs (null: stay as we are). */
  readonly uid: number | null;
  readonly gid: number | null;
  /** From findSetpriv(); needed only when uid or gid is set. */
  readonly setpriv: string | null;
}

/** What to pass to child_process.spawn: `spawn(file, args, { env, … })`. */
export interface ContainedCommand {
  readonly file: string;
  readonly args: string[];
  readonly env: Record<string, string>;
}

/**
 * The command line that runs `req.argv` inside the cgroup of `req.procsFile`:
 *
 *   /bin/sh -c SCRIPT PROCS [SETPRIV --reuid=U --regid=G --clear-groups --] /usr/bin/env -i -- NAME=VALUE… PROGRAM ARGS…
 *
 * Node cannot run code between fork and exec, so the shell moves itself and then becomes the program: the
 * program is in the cgroup from its first instruction and has the pid spawn() returned. The shell gets an
 * empty environment and env -i rebuilds the exact one, because dash drops variables whose names are not
 * shell identifiers, resets IFS and adds PWD. A process may move itself between cgroups only with write
 * access to the common ancestor, which a service's user lacks: so the shell moves as root and setpriv drops
 * the ids after (all of real, effective and saved; supplementary groups cleared, as libuv does).
 *
 * Exit statuses: 125 the shell could not enter the cgroup; 126 and 127 from env as from a shell.
 * When env has no PATH and the program's name has no slash, libuv would search /usr/bin:/bin and env
 * searches /bin:/usr/bin; where these find different files the absolute path libuv would have run is passed
 * (its argv[0] is then that path), else the name as given.
 *
 * Throws a CgroupError (CGROUP_UNAVAILABLE) when uid or gid is set and no setpriv was found, and when
 * the program's name cannot be passed through env: one containing `=` (env takes it for a variable) or `-`
 * alone (env takes it for -i).
 */
export function containedArgv(req: ContainedRequest): ContainedCommand {
  const [argv0, ...rest] = req.argv;
  if (argv0 === undefined) throw new RangeError('containedArgv: empty command line');
  if (argv0.includes('=') || argv0 === '-') {
    throw new CgroupError(
      'CGROUP_UNAVAILABLE',
      `cannot start ${argv0} in a cgroup: env(1), which sets the environment, would take that name for ${argv0 === '-' ? 'its -i option' : 'a variable'}; rename the program or run with --cgroup off`,
      null,
      req.procsFile,
    );
  }
  const drop: string[] = [];
  if (req.uid !== null || req.gid !== null) {
    if (req.setpriv === null) {
      throw new CgroupError(
        'CGROUP_UNAVAILABLE',
        'a service with a user or group needs setpriv in cgroup mode (a process may not move itself between cgroups once it has dropped root); install util-linux or run with --cgroup off',
        null,
        req.procsFile,
      );
    }
    drop.push(req.setpriv);
    if (req.uid !== null) drop.push(`--reuid=${req.uid}`);
    if (req.gid !== null) drop.push(`--regid=${req.gid}`);
    drop.push('--clear-groups', '--');
  }
  const assignments = Object.entries(req.env).map(([name, value]) => `${name}=${value}`);
  const program = req.env.PATH === undefined && !argv0.includes('/') ? programWithoutPath(argv0) : argv0;
  return {
    file: SHELL,
    args: ['-c', SHIM_SCRIPT, req.procsFile, ...drop, ENV, '-i', '--', ...assignments, program, ...rest],
    env: {},
  };
}

/** The setpriv of util-linux, looked for in the system's directories only (it runs as root), or null. */
export function findSetpriv(): string | null {
  return SETPRIV_CANDIDATES.find(isRunnableFile) ?? null;
}

/** Why Node's spawn would fail to run `argv0` with this environment from `cwd`, as spawnProcess reports it; null when it would run. */
export interface CommandProblem {
  readonly code: typeof NOT_FOUND | typeof NOT_EXECUTABLE;
  readonly message: string;
}

/**
 * What spawn() would have said about `argv0` before the shim hides it (the shim itself always starts):
 * a name without a slash is searched in env.PATH (libuv's /usr/bin:/bin when there is none; an empty entry
 * is `cwd`), skipping entries where it does not exist and remembering those where it is not executable,
 * as execvp does. Executability is checked as the daemon (root), not as the service's user: a file only
 * that user cannot run still fails, with env's 126.
 */
export function commandProblem(argv0: string, env: Readonly<Record<string, string>>, cwd: string = process.cwd()): CommandProblem | null {
  let errno: string;
  if (argv0 === '') {
    errno = 'ENOENT';
  } else if (argv0.includes('/')) {
    errno = execErrno(path.resolve(cwd, argv0));
    if (errno === 'OK') return null;
  } else {
    errno = 'ENOENT';
    for (const candidate of candidates(argv0, env.PATH ?? LIBUV_DEFAULT_PATH, cwd)) {
      const e = execErrno(candidate);
      if (e === 'OK') return null;
      if (e !== 'ENOENT' && e !== 'ENOTDIR') errno = 'EACCES';
    }
  }
  const code = errno === 'ENOENT' ? NOT_FOUND : NOT_EXECUTABLE;
  return { code, message: describeSpawnError(argv0, { code: errno, message: `spawn ${argv0} ${errno}` }) };
}

/** The name as given, or the absolute path libuv would run when env's own search would find another file. */
function programWithoutPath(name: string): string {
  const byLibuv = firstRunnable(name, LIBUV_DEFAULT_PATH);
  if (byLibuv === null) return name;
  const byEnv = firstRunnable(name, GLIBC_DEFAULT_PATH);
  return byEnv !== null && sameFile(byLibuv, byEnv) ? name : byLibuv;
}

function candidates(name: string, searchPath: string, cwd: string): string[] {
  return searchPath.split(':').map((dir) => path.resolve(cwd, dir === '' ? '.' : dir, name));
}

function firstRunnable(name: string, searchPath: string): string | null {
  return candidates(name, searchPath, '/').find(isRunnableFile) ?? null;
}

/** 'OK' when execve would start the file, else the errno it would fail with (as far as stat and access tell). */
function execErrno(file: string): string {
  try {
    if (!fs.statSync(file).isFile()) return 'EACCES';
    fs.accessSync(file, fs.constants.X_OK);
    return 'OK';
  } catch (err) {
    return errnoOf(err) ?? 'EACCES';
  }
}

function isRunnableFile(file: string): boolean {
  return execErrno(file) === 'OK';
}

function sameFile(a: string, b: string): boolean {
  try {
    const [sa, sb] = [fs.statSync(a), fs.statSync(b)];
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

/** Why no process can enter its cgroup through the shim on this system (no /bin/sh or /usr/bin/env), or null. */
export function shimProblem(): string | null {
  const missing = [SHELL, ENV].filter((f) => !isRunnableFile(f));
  if (missing.length === 0) return null;
  return `a process enters its service's cgroup through ${SHELL} and ${ENV} before its program runs, and this system has no ${missing.join(' or ')}`;
}
