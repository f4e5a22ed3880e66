// Loader process entry: loads a config directory (or one service of it) in a process of its own, so
// whatever hostile files cost is returned to the system whole when it exits.
import { loadConfigDir, loadServiceFile } from '../config/load-dir.js';
import { resolveIdentity } from './identity.js';
import type { IsolatedLoadReply } from './load-config-isolated.js';

const [, , dir = '', name] = process.argv;
let reply: IsolatedLoadReply;
try {
  if (name === undefined) {
    const { services, errors, warnings } = await loadConfigDir(dir, resolveIdentity);
    reply = { ok: true, services, errors, warnings };
  } else {
    const { config, errors, warnings } = await loadServiceFile(dir, name, resolveIdentity);
    reply = { ok: true, config, errors, warnings };
  }
} catch (err) {
  reply = { ok: false, message: (err as Error).message };
}
process.send?.(reply, () => process.disconnect());
