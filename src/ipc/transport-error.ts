// A failure to reach the daemon or of the connection itself, told apart from an error the daemon answered with.

import { errnoOf } from '../errors/errno.js';
import { messageOf } from '../errors/message-of.js';
export type TransportErrorKind = 'unreachable' | 'closed' | 'timeout' | 'protocol';

/** The daemon could not be reached, or the connection failed: nothing to do with the method called. */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  readonly kind: TransportErrorKind;
  /** The system error code behind it (ENOENT, ECONNREFUSED, …), when there is one. */
  readonly errno: string | undefined;

  constructor(kind: TransportErrorKind, message: string, errno?: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.kind = kind;
    this.errno = errno;
  }
}


/** Why a connection attempt failed, in words that say what to check. */
export function unreachable(socketPath: string, err: unknown): TransportError {
  const code = errnoOf(err);
  const prefix = `cannot reach zinit-ts at ${socketPath}`;
  switch (code) {
    case 'ENOENT':
    case 'ECONNREFUSED':
      return new TransportError('unreachable', `${prefix}: no daemon is running (${code})`, code, err);
    case 'EACCES':
    case 'EPERM':
      return new TransportError(
        'unreachable',
        `${prefix}: permission denied (${code}); the socket is open to its owner only`,
        code,
        err,
      );
    default:
      return new TransportError('unreachable', `${prefix}: ${messageOf(err)}`, code, err);
  }
}
