// Loader process entry: loads a config directory in a process of its own, so whatever hostile files cost
// is returned to the system whole when it exits.
import { loadConfigDir } from '../config/load-dir.js';
import { resolveIdentity } from './identity.js';
import type { IsolatedLoadReply } from './load-config-isolated.js';

const dir = process.argv[2] ?? '';
let reply: IsolatedLoadReply;
try {
  const { services, errors } = await loadConfigDir(dir, resolveIdentity);
  reply = { ok: true, services, errors };
} catch (err) {
  reply = { ok: false, message: (err as Error).message };
}
process.send?.(reply, () => process.disconnect());
