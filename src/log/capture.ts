// Wires a child's stdout or stderr pipe to a line sink; capture never stops or crashes on bad input.

import { LineSplitter } from './line-splitter.js';
import type { OutputStream } from './log-line.js';

/** Longest line of a service's output kept whole, in bytes; longer lines are kept in pieces of at most this size. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

export type LineSink = (service: string, stream: OutputStream, text: string) => void;

/**
 * Splits `source` into lines for `sink` until it ends. The returned function detaches early and
 * emits any partial line already received, so nothing read is lost.
 */
export function attachCapture(
  service: string,
  stream: OutputStream,
  source: NodeJS.ReadableStream,
  sink: LineSink,
  options: { readonly maxLineBytes?: number } = {},
): () => void {
  const splitter = new LineSplitter((text) => sink(service, stream, text), { maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES });
  let done = false;

  const onData = (chunk: Buffer | string): void => {
    splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  };
  const finish = (): void => {
    if (done) return;
    done = true;
    source.removeListener('data', onData);
    source.removeListener('end', finish);
    source.removeListener('close', finish);
    splitter.flush();
  };
  // A read error ends this capture only: the service keeps running and the manager must not crash.
  const onError = (): void => finish();

  source.on('data', onData);
  source.on('end', finish);
  source.on('close', finish);
  // Stays attached after finish: a late error with no listener would be thrown by the emitter.
  source.on('error', onError);
  return finish;
}
