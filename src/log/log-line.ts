// One captured line of a service's output, as stored, followed and printed.

export type OutputStream = 'stdout' | 'stderr';

export interface LogLine {
  /** Global, strictly increasing across all services; a follower's cursor. */
  readonly seq: number;
  /** Capture time, epoch milliseconds. */
  readonly ts: number;
  readonly service: string;
  readonly stream: OutputStream;
  readonly text: string;
}
