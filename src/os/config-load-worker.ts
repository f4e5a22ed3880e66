// Worker entry: loads a config directory (or one service of it) in a heap of its own, so what hostile files cost is released whole when it exits.
import { parentPort, workerData } from 'node:worker_threads';
import { loadConfigDir, loadServiceFile } from '../config/load-dir.js';
import { resolveIdentity } from './identity.js';
import type { IsolatedLoadReply, IsolatedLoadRequest } from './load-config-isolated.js';

const request = workerData as IsolatedLoadRequest;
let reply: IsolatedLoadReply;
try {
  if (request.name === undefined) {
    const { services, errors } = await loadConfigDir(request.dir, resolveIdentity);
    reply = { ok: true, services, errors };
  } else {
    const { config, errors } = await loadServiceFile(request.dir, request.name, resolveIdentity);
    reply = { ok: true, config, errors };
  }
} catch (err) {
  reply = { ok: false, message: (err as Error).message };
}
parentPort?.postMessage(reply);
