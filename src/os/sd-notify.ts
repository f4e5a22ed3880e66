// The manager's own sd_notify: one datagram to $NOTIFY_SOCKET (systemd's Type=notify), never blocking.
import { messageOf } from '../errors/message-of.js';
import { NotifyError } from '../errors/notify-errors.js';
import { requireUnixDgram } from './unix-dgram.js';

/** One unbound datagram socket for every message of this process (sendto names the target each time); close-on-exec. */
let senderFd: number | undefined;

/**
 * Sends `text` (e.g. "READY=1\nSTATUS=…") as one datagram to `env.NOTIFY_SOCKET`: an absolute path or
 * '@name' in the abstract namespace. True when it was sent; false when NOTIFY_SOCKET is unset or empty,
 * when the receiver's queue was full (the message is dropped rather than waited for), or when it failed:
 * `onError` then says why (NotifyError with its code and errno: no koffi, a bad address, ECONNREFUSED, …).
 * Never throws, so that a manager started outside systemd, or a systemd gone away, does not stop it.
 * The variable is left alone: whether services inherit it is the caller's decision.
 */
export function sdNotify(text: string, env: NodeJS.ProcessEnv = process.env, onError?: (err: NotifyError) => void): boolean {
  const target = env.NOTIFY_SOCKET;
  if (target === undefined || target === '') return false;
  try {
    const dgram = requireUnixDgram();
    senderFd ??= dgram.socket();
    return dgram.sendTo(senderFd, Buffer.from(text, 'utf8'), target);
  } catch (err) {
    if (onError) {
      onError(err instanceof NotifyError ? err : new NotifyError('NOTIFY_SOCKET_FAILED', `sd_notify to ${target}: ${messageOf(err)}`));
    }
    return false;
  }
}
