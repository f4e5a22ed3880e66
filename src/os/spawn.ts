// Spawns every process of the manager: own session and process group, tagged, output captured, exact exit status.
import { spawn as cpSpawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import type { ExitStatus, ProcessHandle, ProcessPort, SpawnRequest } from '../supervisor/ports.js';
import { attachCapture } from '../log/capture.js';
import { primaryGroupOf } from './identity.js';

/** Exit codes a shell would give when a command cannot be run. */
export const NOT_FOUND = 127;
export const NOT_EXECUTABLE = 126;

export function spawnProcess(req: SpawnRequest): ProcessHandle {
  const [file, ...args] = req.argv;
  if (file === undefined) return failed('empty command line', NOT_FOUND);
  if (!isDirectory(req.cwd)) return failed(`working directory ${req.cwd} does not exist; fix \`dir\``, NOT_FOUND);
  // A user without a group runs with that user's primary group, never with ours.
  const gid = req.gid ?? (req.uid !== null ? primaryGroupOf(req.uid) : null);
  let child: ChildProcess;
  try {
    child = cpSpawn(file, args, {
      cwd: req.cwd,
      env: req.env,
      // detached = setsid() in the child: its own session and process group, pgid = pid.
      detached: true,
      // `notify: fd`: index 3 is the child's fd 3. Node makes it a socketpair whose end here is close-on-exec,
      // so no other process gets it.
      stdio: ['ignore', req.output ? 'pipe' : 'ignore', req.output ? 'pipe' : 'ignore', ...(req.notifyFd ? (['pipe'] as const) : [])],
      ...(req.uid !== null ? { uid: req.uid } : {}),
      ...(gid !== null ? { gid } : {}),
    });
  } catch (err) {
    return failed(`cannot start ${file}: ${(err as Error).message}`, NOT_EXECUTABLE);
  }
  const sink = req.output;
  if (sink) {
    if (child.stdout) attachCapture(req.service, 'stdout', child.stdout, (_s, stream, text) => sink(stream, text));
    if (child.stderr) attachCapture(req.service, 'stderr', child.stderr, (_s, stream, text) => sink(stream, text));
  }
  if (req.notifyFd) readNotifyFd(child, req.notifyFd);
  let spawnError: string | null = null;
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (err: NodeJS.ErrnoException) => {
      // 'error' without a pid means exec failed; with a pid it is a failed kill() and the 'exit' still comes.
      if (child.pid !== undefined) return;
      spawnError = describeSpawnError(file, err);
      resolve({ code: err.code === 'ENOENT' ? NOT_FOUND : NOT_EXECUTABLE, signal: null });
    });
  });
  return {
    pid: child.pid ?? 0,
    exited,
    get spawnError() {
      return spawnError ?? (child.pid === undefined ? `cannot start ${file}` : null);
    },
    pauseOutput: () => {
      child.stdout?.pause();
      child.stderr?.pause();
    },
    resumeOutput: () => {
      child.stdout?.resume();
      child.stderr?.resume();
    },
  };
}

export const processPort: ProcessPort = {
  spawn: spawnProcess,
  signalGroup(pgid, signal) {
    signalQuietly(-pgid, signal);
  },
  signalProcess(pid, signal) {
    signalQuietly(pid, signal);
  },
};

/** kill(2) where a process that is already gone (ESRCH) is not a failure. */
export function signalQuietly(pid: number, signal: NodeJS.Signals): boolean {
  if (pid === 0 || pid === -1 || pid === 1 || pid === -1 * process.pid) return false;
  try {
    process.kill(pid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/**
 * Passes what the child writes on its fd 3 to `onText` as it comes, and keeps reading (nothing kept) for as
 * long as the child lives, so that a write after readiness never blocks on a full buffer or meets EPIPE.
 * Our end closes when the child exits (or could not be started).
 */
function readNotifyFd(child: ChildProcess, onText: (text: string) => void): void {
  const end = child.stdio[3];
  if (!(end instanceof Readable)) return;
  end.setEncoding('utf8');
  end.on('data', (text: string) => onText(text));
  // A reset or a read error ends the stream; the child's exit still closes it.
  end.on('error', () => undefined);
  const done = (): void => {
    end.destroy();
  };
  child.once('exit', done);
  child.once('error', () => {
    if (child.pid === undefined) done();
  });
}

/** A handle for a process that could not be created: pid 0, `code` as a shell would give it. */
export function failed(message: string, code: number): ProcessHandle {
  return { pid: 0, exited: Promise.resolve({ code, signal: null }), spawnError: message };
}

export function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** What the log and status say when `file` could not be started (err: the spawn error, or its errno alone). */
export function describeSpawnError(file: string, err: Pick<NodeJS.ErrnoException, 'code' | 'message'>): string {
  if (err.code === 'ENOENT') return `command not found: ${file} (check \`exec\` and PATH)`;
  if (err.code === 'EACCES') return `permission denied: ${file} is not executable`;
  return `cannot start ${file}: ${err.message}`;
}
