// Worker entry: loads a config directory in a heap of its own, so what hostile files cost is released whole when it exits.
import { parentPort, workerData } from 'node:worker_threads';
import { loadConfigDir } from '../config/load-dir.js';
import { resolveIdentity } from './identity.js';
import type { IsolatedLoadReply, IsolatedLoadRequest } from './load-config-isolated.js';

const { dir } = workerData as IsolatedLoadRequest;
let reply: IsolatedLoadReply;
try {
  const { services, errors } = await loadConfigDir(dir, resolveIdentity);
  reply = { ok: true, services, errors };
} catch (err) {
  reply = { ok: false, message: (err as Error).message };
}
parentPort?.postMessage(reply);
