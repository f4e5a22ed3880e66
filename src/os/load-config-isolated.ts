// Loads the config directory, or one service of it, in a worker thread: parsing never blocks the control socket, and its heap is returned to the system after.
import { Worker } from 'node:worker_threads';
import type { ParseResult } from '../config/parse-service.js';
import type { ConfigError, LoadResult, ServiceConfig } from '../config/types.js';

/** The whole directory (boot, reload), or the one service `name` of it (monitor). */
export type IsolatedLoadRequest = { readonly dir: string; readonly name?: undefined } | { readonly dir: string; readonly name: string };

export type IsolatedLoadReply =
  | { readonly ok: true; readonly services: Map<string, ServiceConfig>; readonly errors: ConfigError[] }
  | { readonly ok: true; readonly config: ServiceConfig | null; readonly errors: ConfigError[] }
  | { readonly ok: false; readonly message: string };

/**
 * Heap of the loading worker. Parsing holds one file at a time, about 90 bytes of heap per byte of
 * YAML (MAX_FILE_BYTES of 1 MiB: under 100 MiB); a worker past this limit dies alone, the daemon lives.
 */
export const CONFIG_WORKER_HEAP_MB = 256;

const WORKER_URL = new URL('./config-load-worker.js', import.meta.url);

/** The same result as loadConfigDir(dir, resolveIdentity), computed off the main thread; rejects as loadConfigDir would. */
export async function loadConfigDirIsolated(dir: string): Promise<LoadResult> {
  const reply = await inWorker({ dir }, `loading the config directory ${dir}`);
  if (!('services' in reply)) throw new Error(`loading the config directory ${dir} failed: the loader answered for one service`);
  return { services: reply.services, errors: reply.errors };
}

/**
 * The same result as loadServiceFile(dir, name, resolveIdentity), off the main thread: the YAML
 * parser is never loaded into the daemon itself, where it would stay resident for good.
 */
export async function loadServiceFileIsolated(dir: string, name: string): Promise<ParseResult> {
  const reply = await inWorker({ dir, name }, `loading service "${name}" from ${dir}`);
  if (!('config' in reply)) throw new Error(`loading service "${name}" from ${dir} failed: the loader answered for a directory`);
  return { config: reply.config, errors: reply.errors };
}

type Answer = Exclude<IsolatedLoadReply, { ok: false }>;

function inWorker(request: IsolatedLoadRequest, what: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_URL, { workerData: request, resourceLimits: { maxOldGenerationSizeMb: CONFIG_WORKER_HEAP_MB } });
    let settled = false;
    worker.once('message', (reply: IsolatedLoadReply) => {
      settled = true;
      if (reply.ok) resolve(reply);
      else reject(new Error(reply.message));
    });
    worker.once('error', (err) => {
      if (settled) return;
      settled = true;
      reject(new Error(`${what} failed: ${err.message}`, { cause: err }));
    });
    worker.once('exit', (code) => {
      if (settled) return;
      settled = true;
      reject(new Error(`${what} failed: the loader exited with code ${code} before answering`));
    });
  });
}
