// Loader process entry: loads a config directory (or one service of it), renders a service given as JSON, or reads a
// service file as JSON, in a process of its own, so whatever hostile input costs is returned to the system whole when it exits.
import { loadConfigDir, loadServiceFile } from '../config/load-dir.js';
import { readDocument } from '../config/read-document.js';
import { renderService } from '../config/render-service.js';
import { resolveIdentity } from './identity.js';
import type { IsolatedLoadReply, LoaderTask } from './load-config-isolated.js';

/** The task comes as the one message the daemon sends: a service's content does not fit in argv. */
function task(): Promise<LoaderTask> {
  return new Promise((resolve) => process.once('message', (m) => resolve(m as LoaderTask)));
}

async function perform(t: LoaderTask): Promise<IsolatedLoadReply> {
  switch (t.kind) {
    case 'dir': {
      const { services, errors } = await loadConfigDir(t.dir, resolveIdentity);
      return { ok: true, services, errors };
    }
    case 'service': {
      const { config, errors } = await loadServiceFile(t.dir, t.name, resolveIdentity);
      return { ok: true, config, errors };
    }
    case 'render':
      return { ok: true, rendered: renderService(t.name, t.content, t.file, resolveIdentity) };
    case 'read':
      return { ok: true, document: await readDocument(t.file) };
  }
}

let reply: IsolatedLoadReply;
try {
  reply = await perform(await task());
} catch (err) {
  reply = { ok: false, message: (err as Error).message };
}
process.send?.(reply, () => process.disconnect());
