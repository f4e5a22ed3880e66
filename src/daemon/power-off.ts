// poweroff and reboot, for PID 1 on a host only: a container's init just exits and its runtime decides.
import type { Libc } from '../os/libc.js';
import type { ShutdownRequest } from './shutdown-requests.js';

export function powerOffIfAsked(request: ShutdownRequest, where: { readonly isPid1: boolean; readonly container: boolean }, libc: Libc | null): void {
  if (where.isPid1 && !where.container && (request.kind === 'poweroff' || request.kind === 'reboot') && libc) {
    libc.sync();
    libc.reboot(request.kind);
  }
}
