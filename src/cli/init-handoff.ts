// `init`'s parsed options, handed across the in-place re-execution that applies the heap limit: the re-executed
// process starts the daemon from them without loading the argument parser (commander and every other command) again.
import type { DaemonOptions } from '../daemon-entry.js';
import type { HeapLimit } from './heap-limit.js';

/** Set only by `init` for its own re-execution, and removed before any service can inherit it. */
export const HANDOFF_ENV = 'ZINIT_TS_INIT_OPTIONS';

export type HandedOptions = Omit<DaemonOptions, 'heapLimit'>;

interface Handoff {
  readonly maxHeapMiB: number;
  readonly options: HandedOptions;
}

/** The environment for the re-execution: this one, plus the options. */
export function handoffEnvironment(maxHeapMiB: number, options: HandedOptions): NodeJS.ProcessEnv {
  const handoff: Handoff = { maxHeapMiB, options };
  return { ...process.env, [HANDOFF_ENV]: JSON.stringify(handoff) };
}

/**
 * Takes the handed options out of the environment (they never reach a service); null when there are none,
 * when the command is not `init` or when they do not read back (then the command line is parsed as usual).
 */
export function takeHandoff(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Handoff | null {
  const raw = env[HANDOFF_ENV];
  if (raw === undefined) return null;
  delete env[HANDOFF_ENV];
  if (!argv.includes('init')) return null;
  try {
    const h = JSON.parse(raw) as Partial<Handoff> | null;
    const o = h?.options;
    if (typeof h?.maxHeapMiB !== 'number' || typeof o !== 'object' || o === null) return null;
    if (typeof o.configDir !== 'string' || typeof o.socketPath !== 'string' || !Array.isArray(o.shutdownSignals)) return null;
    return { maxHeapMiB: h.maxHeapMiB, options: o };
  } catch {
    return null;
  }
}

/**
 * Applies the heap limit (re-executing in place with `env` when it is not in force yet), then runs the daemon and
 * exits with its code. Before anything else runs: re-executing keeps the pid (PID 1 stays PID 1) but must come
 * before any child or socket.
 */
export async function startDaemon(maxHeapMiB: number, options: HandedOptions, env: NodeJS.ProcessEnv = process.env): Promise<never> {
  // Loaded here, not with the CLI's entry: node:v8 is for init alone.
  const { applyHeapLimit } = await import('./heap-limit.js');
  const heapLimit: HeapLimit = applyHeapLimit(maxHeapMiB, env);
  // The daemon and its dependencies load only for `init`: every other command stays a small, quick client.
  const { runDaemon } = await import('../daemon-entry.js');
  process.exit(await runDaemon({ ...options, heapLimit }));
}

/** Runs the daemon from handed options and exits with its code. */
export function runHandedOff(handoff: Handoff): Promise<never> {
  return startDaemon(handoff.maxHeapMiB, handoff.options);
}
