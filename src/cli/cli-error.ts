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

/** Prints `err` as one line (on stderr unless told) and sets the exit code: the CliError's own, or 1. */
export function reportFailure(err: unknown, writeErr: (text: string) => void = (text) => process.stderr.write(text)): void {
  writeErr(`zinit-ts: ${messageOf(err)}\n`);
  process.exitCode = err instanceof CliError ? err.exitCode : 1;
}

/**
 * A reader that leaves (`zinit-ts log | head -5`) ends the command quietly, exit 0 and nothing on
 * stderr, as it ends a Unix filter; any other failure to write the output is one line and exit 1.
 */
export function endWhenReaderLeaves(stream: NodeJS.WritableStream = process.stdout): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    process.stderr.write(`zinit-ts: cannot write the output: ${messageOf(err)}\n`);
    process.exit(1);
  });
}
