// Errors of readiness notification sockets (NOTIFY_SOCKET): no native calls in this process, or a socket call that failed.

/**
 * `NOTIFY_UNAVAILABLE`: koffi or libc cannot be loaded, so no unix datagram socket can be made at all.
 * `NOTIFY_SOCKET_FAILED`: a socket call failed (`errno` says which way, e.g. EADDRINUSE, EMFILE, ECONNREFUSED).
 * `NOTIFY_ADDRESS_INVALID`: the address is neither an absolute path nor '@name', or is too long for sun_path.
 */
export type NotifyErrorCode = 'NOTIFY_UNAVAILABLE' | 'NOTIFY_SOCKET_FAILED' | 'NOTIFY_ADDRESS_INVALID';

export class NotifyError extends Error {
  override name = 'NotifyError';
  constructor(
    readonly code: NotifyErrorCode,
    message: string,
    /** The errno name of the failed call ('EADDRINUSE', …), when one failed. */
    readonly errno: string | null = null,
  ) {
    super(message);
  }
}
