// A real zinit answers METHOD_NOT_FOUND for zinit-ts's own methods: commands then use zinit's methods, or say plainly that they need zinit-ts.
import { ErrorCode } from '../errors/codes.js';
import { RpcError } from '../errors/errors.js';
import { CliError } from './cli-error.js';

export function isMethodNotFound(err: unknown): boolean {
  return err instanceof RpcError && err.code === ErrorCode.METHOD_NOT_FOUND;
}

/** `primary()`; where the daemon does not know its method (a zinit), `fallback()` instead. */
export async function orZinit<T>(primary: () => Promise<T>, fallback: () => Promise<T>): Promise<T> {
  try {
    return await primary();
  } catch (err) {
    if (!isMethodNotFound(err)) throw err;
    return fallback();
  }
}

/** `call()`, for a command only zinit-ts can serve: a daemon that lacks its method is one line saying so. */
export async function needsZinitTs<T>(command: string, socket: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!isMethodNotFound(err)) throw err;
    throw new CliError(`\`${command}\` needs zinit-ts: the daemon at ${socket} does not support it (it looks like zinit)`);
  }
}
