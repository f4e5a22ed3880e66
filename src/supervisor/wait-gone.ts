// Waits, bounded, until a set of processes is gone; returns the ones still alive at the end.
import type { Clock, ProcessTablePort, TrackedProcess } from './ports.js';

const POLL_MS = 10;

export async function waitGone(table: Pick<ProcessTablePort, 'alive'>, clock: Clock, procs: readonly TrackedProcess[], ms: number): Promise<TrackedProcess[]> {
  const deadline = clock.now() + ms;
  let left = table.alive(procs);
  while (left.length > 0 && clock.now() < deadline) {
    await new Promise<void>((r) => clock.setTimeout(r, POLL_MS));
    left = table.alive(left);
  }
  return left;
}
