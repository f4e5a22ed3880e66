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
  /** Set on the line recorded when a process of the service is spawned (zinit's `[start]` line), not on output. */
  readonly start?: true;
}

/** The text of the spawn line, as zinit writes it (on its stderr side: `[-] svc: ------------ [start] ------------`). */
export const START_MARKER_TEXT = '------------ [start] ------------';
