// The bearer token: read from the file the operator named, or from (created on first use) a 0600 file beside the control socket.
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { errnoOf } from '../errors/errno.js';
import { TokenFileError } from '../errors/http-errors.js';
import { messageOf } from '../errors/message-of.js';
import { checkTokenFile, MAX_TOKEN_FILE_BYTES, NEW_TOKEN_BYTES, tokenFromText } from '../ipc/http/token-rules.js';

export interface TokenSource {
  readonly token: string;
  readonly file: string;
  /** True when this call created the file. */
  readonly created: boolean;
}

/** Where the token lives when no file is named: beside the socket, as private as the socket itself. */
export function defaultTokenFile(socketPath: string): string {
  return `${socketPath}.http-token`;
}

// O_NONBLOCK: a FIFO put at the path cannot hang the open.
const READ_FLAGS = constants.O_RDONLY | constants.O_NOCTTY | constants.O_NONBLOCK;

async function readToken(file: string, followLinks: boolean): Promise<string> {
  const handle = await fs.open(file, followLinks ? READ_FLAGS : READ_FLAGS | constants.O_NOFOLLOW);
  try {
    const st = await handle.stat();
    const problem = checkTokenFile(file, { isFile: st.isFile(), mode: st.mode, uid: st.uid, size: st.size }, process.geteuid?.() ?? 0);
    if (problem !== null) throw problem;
    const buf = Buffer.alloc(MAX_TOKEN_FILE_BYTES + 1);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    return tokenFromText(file, buf.toString('utf8', 0, Math.min(bytesRead, MAX_TOKEN_FILE_BYTES)));
  } finally {
    await handle.close();
  }
}

/** Creates the file with a new random token, 0600 from its first instant; false when it appeared meanwhile. */
async function createToken(file: string): Promise<boolean> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  } catch (err) {
    if (errnoOf(err) === 'EEXIST') return false;
    throw new TokenFileError('cannot-create', `cannot create the token file ${file}: ${messageOf(err)}; name one with --http-token-file`);
  }
  try {
    await handle.chmod(0o600);
    await handle.writeFile(`${randomBytes(NEW_TOKEN_BYTES).toString('hex')}\n`);
  } finally {
    await handle.close();
  }
  return true;
}

function unreadable(file: string, err: unknown): TokenFileError {
  const why = errnoOf(err) === 'ELOOP' ? 'it is a symbolic link' : messageOf(err);
  return new TokenFileError('unreadable', `cannot read the token file ${file}: ${why}`);
}

/**
 * The token from `named` (symbolic links followed: a mounted secret is one), or from the default
 * file beside the socket, created when missing (never through a symbolic link). Throws a
 * TokenFileError that says how to fix the file.
 */
export async function loadToken(named: string | null, socketPath: string): Promise<TokenSource> {
  if (named !== null) {
    try {
      return { token: await readToken(named, true), file: named, created: false };
    } catch (err) {
      throw err instanceof TokenFileError ? err : unreadable(named, err);
    }
  }
  const file = defaultTokenFile(socketPath);
  for (let attempt = 0; ; attempt++) {
    try {
      return { token: await readToken(file, false), file, created: false };
    } catch (err) {
      if (err instanceof TokenFileError) throw err;
      if (errnoOf(err) !== 'ENOENT' || attempt > 0) throw unreadable(file, err);
    }
    if (await createToken(file)) return { token: await readToken(file, false), file, created: true };
  }
}
