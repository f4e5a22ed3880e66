// What the CLI adds to the daemon's error when it prints it: the command that helps next (the daemon's own messages name no command).
import { ErrorCode } from '../errors/codes.js';
import type { RpcError } from '../errors/errors.js';

/** By error code: the advice to add, given the error. */
export type Advice = Readonly<Partial<Record<number, (err: RpcError) => string>>>;

const ANY_COMMAND: Advice = {
  [ErrorCode.SERVICE_NOT_FOUND]: () => 'see the list with `zinit-ts list`',
};

/** The error's message, then the command's advice for its code (or the advice any command gives). */
export function adviseOn(err: RpcError, advice: Advice = {}): string {
  const hint = (advice[err.code] ?? ANY_COMMAND[err.code])?.(err);
  return hint === undefined ? err.message : `${err.message}; ${hint}`;
}
