// The daemon's heap limit, chosen on purpose: applied by re-executing Node in place (same pid) with --max-old-space-size and the young generation's cap.
import v8 from 'node:v8';
import { messageOf } from '../errors/message-of.js';

/**
 * Every queue, ring and buffer of the daemon is bounded, so its heap stays far below this; the
 * limit makes a bug that still grows it fail fast and visibly instead of letting V8 grow to a
 * quarter of the host's memory (4 GiB on a large host) and the container's OOM killer choose a
 * victim among the services.
 */
export const DEFAULT_MAX_HEAP_MIB = 512;

/**
 * The young generation's cap, applied in the same re-execution. V8 grows each semi-space to 8–16 MiB
 * under a burst of allocation (booting 200 services) and keeps it: measured on Node 24 with 200 idle
 * services, 85 → 73 MiB RSS. The price is more frequent scavenges under a flood of output: 226 → 315 ms
 * of CPU per million lines captured, still over 2 M lines/s. An operator's own
 * --max-semi-space-size takes precedence.
 */
export const SEMI_SPACE_MIB = 1;

export interface HeapLimit {
  /** The limit in force, in MiB, as V8 reports it. */
  readonly limitMiB: number;
  /** Why the asked-for limit is not the one in force, when it is not. */
  readonly note: string | null;
}

type Execve = (file: string, args: readonly string[], env: NodeJS.ProcessEnv) => never;

function nodeOptions(): string {
  return `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
}

/** The --max-old-space-size in force, from Node's own arguments or NODE_OPTIONS; null when none. */
function givenLimit(): number | null {
  const m = /--max[-_]old[-_]space[-_]size[= ](\d+)/.exec(nodeOptions());
  return m ? Number(m[1]) : null;
}

/** The V8 flags the re-execution adds besides the heap limit: those the operator has not set. */
export function idleFlags(options: string = nodeOptions()): string[] {
  return /--max[-_]semi[-_]space[-_]size\b/.test(options) ? [] : [`--max-semi-space-size=${SEMI_SPACE_MIB}`];
}

/** Re-executes this process with the limit if it is not in force yet (with `env`, default this one's); returns what is in force. */
export function applyHeapLimit(maxHeapMiB: number, env: NodeJS.ProcessEnv = process.env): HeapLimit {
  const limitMiB = Math.round(v8.getHeapStatistics().heap_size_limit / 2 ** 20);
  if (maxHeapMiB === 0) return { limitMiB, note: null };
  const given = givenLimit();
  // Our own re-execution (or an operator's equal choice) lands here with nothing to say.
  if (given === maxHeapMiB) return { limitMiB, note: null };
  if (given !== null) return { limitMiB, note: `--max-old-space-size=${given} in the Node options takes precedence over --max-heap ${maxHeapMiB}` };
  const execve = (process as unknown as { execve?: Execve }).execve;
  if (typeof execve !== 'function') return { limitMiB, note: `this Node (${process.version}) cannot re-execute itself; run it as node --max-old-space-size=${maxHeapMiB}` };
  try {
    execve.call(process, process.execPath, [process.execPath, `--max-old-space-size=${maxHeapMiB}`, ...idleFlags(), ...process.execArgv, ...process.argv.slice(1)], env);
  } catch (err) {
    return { limitMiB, note: `re-executing with the limit failed: ${messageOf(err)}` };
  }
  return { limitMiB, note: null };
}
