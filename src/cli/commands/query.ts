// list and status: the daemon's answer as a table, a few lines, or JSON; from zinit's methods where the daemon is a zinit.
import type { ZinitClient } from '../../ipc/zinit-client.js';
import { ErrorCode } from '../../errors/codes.js';
import { RpcError, ServiceNotFoundError } from '../../errors/errors.js';
import { withClient } from '../connect.js';
import { describeExit, table, warningLines } from '../format.js';
import { orZinit } from '../zinit-fallback.js';

export interface OutputOptions {
  readonly json?: boolean | undefined;
}

/** A service as either daemon tells it: zinit says nothing of exits and restarts. */
interface ServiceView {
  readonly name: string;
  readonly pid: number;
  readonly state: string;
  readonly target: string;
  readonly after: Readonly<Record<string, string>>;
  readonly exit?: { readonly code: number | null; readonly signal: string | null; readonly oomKill?: boolean } | null;
  readonly restarts?: number;
  readonly reason?: string | null;
  /** zinit-ts only: what the service file holds that zinit would ignore. */
  readonly warnings?: readonly string[];
  /** zinit-ts only: what its probes and notifications say. */
  readonly health?: { readonly probeError: string | null; readonly liveFailures: number; readonly liveRestarts: number; readonly statusText: string | null };
  /** zinit-ts only: its cgroup and what the kernel enforces of its limits. */
  readonly containment?: { readonly cgroup: string | null; readonly why?: string; readonly limits: { readonly enforced: readonly string[]; readonly notEnforced: readonly { readonly key: string; readonly why: string }[] } };
  readonly oomKills?: number;
}

export async function listServices(socket: string, o: OutputOptions): Promise<void> {
  const list = await withClient(socket, (c) => orZinit<readonly ServiceView[]>(() => c.call('service_statuses'), () => zinitStatuses(c)));
  if (o.json) return print(JSON.stringify(list, null, 2));
  print(table(['NAME', 'STATE', 'PID', 'TARGET', 'LAST EXIT', 'RESTARTS'], list.map((s) => [s.name, s.state, s.pid ? String(s.pid) : '-', s.target, describeExit(s.exit ?? null), s.restarts === undefined ? '-' : String(s.restarts)])));
}

export async function serviceStatus(socket: string, name: string, o: OutputOptions): Promise<void> {
  const s = await withClient(socket, (c) =>
    orZinit<ServiceView>(
      async () => {
        // zinit-ts's own list keeps the plain state word (`Error`) beside the exit; zinit's status spells the exit into the state.
        const found = (await c.call('service_statuses', [name])).find((x) => x.name === name);
        if (found === undefined) throw new ServiceNotFoundError(name);
        return found;
      },
      () => c.call('service_status', [name]),
    ),
  );
  if (o.json) return print(JSON.stringify(s, null, 2));
  const lines = [`name:     ${s.name}`, `state:    ${s.state}`, `pid:      ${s.pid || '-'}`, `target:   ${s.target}`, `last exit: ${describeExit(s.exit ?? null)}`, `restarts: ${s.restarts ?? '-'}`];
  if (s.reason) lines.push(`reason:   ${s.reason}`);
  lines.push(...healthLines(s.health));
  lines.push(...containmentLines(s));
  lines.push(...warningLines(s.warnings ?? []));
  const deps = Object.entries(s.after);
  lines.push(deps.length === 0 ? 'after:    -' : 'after:');
  for (const [dep, state] of deps) lines.push(`  ${dep}: ${state}`);
  print(lines.join('\n'));
}

/** zinit has no list with details: its list of names, then each one's status, by name. */
async function zinitStatuses(c: ZinitClient): Promise<ServiceView[]> {
  const names = Object.keys(await c.call('service_list')).sort();
  const statuses = await Promise.all(
    names.map((n) =>
      c.call('service_status', [n]).catch((err: unknown) => {
        // Forgotten between the two calls.
        if (err instanceof RpcError && err.code === ErrorCode.SERVICE_NOT_FOUND) return null;
        throw err;
      }),
    ),
  );
  return statuses.filter((s) => s !== null);
}

/** Only what there is to say: a service without probes or notifications shows nothing here. */
function healthLines(h: ServiceView['health']): string[] {
  if (h === undefined) return [];
  const lines: string[] = [];
  if (h.statusText !== null) lines.push(`status:   ${h.statusText}`);
  if (h.probeError !== null) lines.push(`probe:    ${h.probeError}${h.liveFailures > 0 ? ` (liveness failed ${h.liveFailures} in a row)` : ''}`);
  if (h.liveRestarts > 0) lines.push(`liveness restarts: ${h.liveRestarts}`);
  return lines;
}

/** Its cgroup, the limits the kernel enforces, and plainly the ones it does not, with why. */
function containmentLines(s: ServiceView): string[] {
  const c = s.containment;
  const lines: string[] = [];
  if (c !== undefined && c.cgroup !== null) lines.push(`cgroup:   ${c.cgroup}`);
  else if (c?.why !== undefined) lines.push(`cgroup:   none (/proc discovery: ${c.why})`);
  if (c !== undefined && c.limits.enforced.length > 0) lines.push(`limits:   ${c.limits.enforced.join(', ')} (enforced by the kernel)`);
  for (const n of c?.limits.notEnforced ?? []) lines.push(`limit NOT enforced: ${n.key}: ${n.why}`);
  if ((s.oomKills ?? 0) > 0) lines.push(`oom kills: ${s.oomKills}`);
  return lines;
}

function print(s: string): void {
  process.stdout.write(`${s}\n`);
}
