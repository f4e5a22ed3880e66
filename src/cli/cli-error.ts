// A CLI failure with the exit code it ends in, and how any failure is told: one line on stderr, never a stack.
import { messageOf } from '../errors/message-of.js';

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Prints `err` as one line and sets the exit code: the CliError's own, or 1. */
export function reportFailure(err: unknown): void {
  process.stderr.write(`zinit-ts: ${messageOf(err)}\n`);
  process.exitCode = err instanceof CliError ? err.exitCode : 1;
}
