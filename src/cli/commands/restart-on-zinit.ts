// `restart` against a zinit, which has no restart method: stop, wait until it is down, start; SIGKILL first if it will not go down, as zinit's CLI does.
import { setTimeout as delay } from 'node:timers/promises';
import type { ZinitClient } from '../../ipc/zinit-client.js';

/** zinit's CLI waits 20 s for the stop before it kills. */
export const ZINIT_RESTART_PATIENCE_MS = 20_000;
const POLL_MS = 100;

export async function restartOnZinit(c: ZinitClient, name: string, patienceMs = ZINIT_RESTART_PATIENCE_MS): Promise<null> {
  // zinit's stop answers once the signal is sent, not once the process is gone.
  await c.call('service_stop', [name]);
  const deadline = Date.now() + patienceMs;
  for (;;) {
    const s = await c.call('service_status', [name]);
    if (s.pid === 0 && s.target === 'Down') break;
    if (Date.now() >= deadline) {
      await c.call('service_kill', [name, 'SIGKILL']);
      break;
    }
    await delay(POLL_MS);
  }
  await c.call('service_start', [name]);
  return null;
}
