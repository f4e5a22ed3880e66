// Opening the control socket: one attempt bounded in time, retried while the daemon's accept queue is full.
import net from 'node:net';
import { errnoOf } from '../errors/errno.js';
import { TransportError, unreachable } from './transport-error.js';

/** One connection attempt: the socket, or the reason it failed (a timeout as a TransportError). */
function connectOnce(socketPath: string, timeoutMs: number): Promise<net.Socket | Error> {
  return new Promise((resolve) => {
    const socket = net.createConnection(socketPath);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(new TransportError('timeout', `cannot reach zinit-ts at ${socketPath}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const onError = (err: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(err);
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

/** The connected socket, or a TransportError: at once when no daemon is there, at the timeout when it stays busy. */
export async function openSocket(socketPath: string, timeoutMs: number): Promise<net.Socket> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    const attempt = await connectOnce(socketPath, Math.max(1, deadline - Date.now()));
    if (attempt instanceof net.Socket) return attempt;
    if (errnoOf(attempt) !== 'EAGAIN' || Date.now() + delay >= deadline) {
      throw attempt instanceof TransportError ? attempt : unreachable(socketPath, attempt);
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
