// The socket file's life: refusing a live one, replacing a stale one, binding it 0600, removing only our own.
import { errnoOf } from '../../errors/errno.js';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { messageOf } from '../../errors/message-of.js';

const PROBE_TIMEOUT_MS = 1000;
const LISTEN_BACKLOG = 4096;
/** sun_path holds 108 bytes, the last one a NUL. */
const MAX_SOCKET_PATH_BYTES = 107;


/** Identity of the file we bound, so exit removes it only if nobody replaced it since. */
export interface BoundFile {
  readonly path: string;
  readonly dev: number;
  readonly ino: number;
}

type ProbeAnswer = 'live' | 'stale' | 'gone';

function probeSocket(socketPath: string, timeoutMs: number): Promise<ProbeAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(socketPath);
    const done = (answer: ProbeAnswer | Error): void => {
      clearTimeout(timer);
      socket.destroy();
      if (answer instanceof Error) reject(answer);
      else resolve(answer);
    };
    // A server too busy to accept within the timeout is still a live server.
    const timer = setTimeout(() => done('live'), timeoutMs);
    socket.once('connect', () => done('live'));
    socket.once('error', (err) => {
      const code = errnoOf(err);
      if (code === 'ECONNREFUSED') done('stale');
      else if (code === 'ENOENT') done('gone');
      else done(new Error(`cannot check whether ${socketPath} is in use: ${err.message}`, { cause: err }));
    });
  });
}

export function inUseError(socketPath: string): Error {
  return new Error(`another zinit-ts is already serving ${socketPath}; stop it or use -s PATH`);
}

export function checkSocketPath(socketPath: string): void {
  const bytes = Math.max(Buffer.byteLength(socketPath), Buffer.byteLength(stagingPath(socketPath)));
  if (bytes > MAX_SOCKET_PATH_BYTES) {
    throw new Error(
      `socket path ${socketPath} is too long (${bytes} bytes; a Unix socket path holds at most ${MAX_SOCKET_PATH_BYTES}); use a shorter -s PATH`,
    );
  }
}

/** Makes the directory and removes a socket file left by a dead daemon; a live one, or a non-socket, is an error. */
export async function prepareSocketPath(socketPath: string): Promise<void> {
  await fs.promises.mkdir(path.dirname(socketPath), { recursive: true });
  let stat: fs.Stats;
  try {
    stat = await fs.promises.lstat(socketPath);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return;
    throw new Error(`cannot inspect ${socketPath}: ${messageOf(err)}`, { cause: err });
  }
  if (!stat.isSocket()) throw new Error(`${socketPath} exists and is not a socket; remove it or use -s PATH`);
  const answer = await probeSocket(socketPath, PROBE_TIMEOUT_MS);
  if (answer === 'live') throw inUseError(socketPath);
  if (answer === 'stale') await unlinkIfPresent(socketPath);
}

/**
 * Binds at a private name beside the path, then renames it into place. libuv unlinks the name
 * it bound when the server closes, whatever file is there by then; binding elsewhere leaves the
 * removal of the real path to us, checked by inode, so a file put there since is never deleted.
 */
export function bindPrivately(server: net.Server, socketPath: string): Promise<BoundFile> {
  const staging = stagingPath(socketPath);
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = (): void => {
      server.off('error', onError);
      try {
        fs.chmodSync(staging, 0o600);
        const st = fs.lstatSync(staging);
        fs.renameSync(staging, socketPath);
        resolve({ path: socketPath, dev: st.dev, ino: st.ino });
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    };
    server.once('error', onError);
    server.once('listening', onListening);
    try {
      fs.unlinkSync(staging);
    } catch {
      // not there: the usual case
    }
    // bind(2) creates the socket file under the umask: with 0177 it is 0600 from its first
    // instant, so nobody can connect before the chmod that follows. listen() binds
    // synchronously, so the umask is back before any other code of this process runs.
    const previous = process.umask(0o177);
    try {
      // A deep backlog rides out bursts of clients while the loop is busy (the kernel caps it at somaxconn).
      server.listen({ path: staging, backlog: LISTEN_BACKLOG });
    } finally {
      process.umask(previous);
    }
  });
}

/** A short name in the socket's own directory (same filesystem, so the rename is atomic). */
function stagingPath(socketPath: string): string {
  return path.join(path.dirname(socketPath), `.zinit-ts-${process.pid}.sock`);
}

/** Removes the socket file only if it is still the one we bound: a file put there since is someone else's. */
export async function removeIfOurs(bound: BoundFile): Promise<boolean> {
  let st: fs.Stats;
  try {
    st = await fs.promises.lstat(bound.path);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return false;
    throw err;
  }
  if (!st.isSocket() || st.dev !== bound.dev || st.ino !== bound.ino) return false;
  await unlinkIfPresent(bound.path);
  return true;
}

async function unlinkIfPresent(file: string): Promise<void> {
  try {
    await fs.promises.unlink(file);
  } catch (err) {
    if (errnoOf(err) !== 'ENOENT') throw err;
  }
}
