// Loads the config directory in a worker thread: parsing never blocks the control socket, and its heap is returned to the system after.
import { Worker } from 'node:worker_threads';
import type { ConfigError, LoadResult, ServiceConfig } from '../config/types.js';

export interface IsolatedLoadRequest {
  readonly dir: string;
}

export type IsolatedLoadReply =
  | { readonly ok: true; readonly services: Map<string, ServiceConfig>; readonly errors: ConfigError[] }
  | { readonly ok: false; readonly message: string };

/**
 * Heap of the loading worker. Parsing holds one file at a time, about 90 bytes of heap per byte of
 * YAML (MAX_FILE_BYTES of 1 MiB: under 100 MiB); a worker past this limit dies alone, the daemon lives.
 */
export const CONFIG_WORKER_HEAP_MB = 256;

const WORKER_URL = new URL('./config-load-worker.js', import.meta.url);

/** The same result as loadConfigDir(dir, resolveIdentity), computed off the main thread; rejects as loadConfigDir would. */
export function loadConfigDirIsolated(dir: string): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const request: IsolatedLoadRequest = { dir };
    const worker = new Worker(WORKER_URL, { workerData: request, resourceLimits: { maxOldGenerationSizeMb: CONFIG_WORKER_HEAP_MB } });
    let settled = false;
    worker.once('message', (reply: IsolatedLoadReply) => {
      settled = true;
      if (reply.ok) resolve({ services: reply.services, errors: reply.errors });
      else reject(new Error(reply.message));
    });
    worker.once('error', (err) => {
      if (settled) return;
      settled = true;
      reject(new Error(`loading the config directory ${dir} failed: ${err.message}`, { cause: err }));
    });
    worker.once('exit', (code) => {
      if (settled) return;
      settled = true;
      reject(new Error(`loading the config directory ${dir} failed: the loader exited with code ${code} before answering`));
    });
  });
}
