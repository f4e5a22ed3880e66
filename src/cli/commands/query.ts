// list and status: one call to the daemon and its answer as a table, a few lines, or JSON.
import { withClient } from '../connect.js';
import { describeExit, table, warningLines } from '../format.js';

export interface OutputOptions {
  readonly json?: boolean | undefined;
}

export async function listServices(socket: string, o: OutputOptions): Promise<void> {
  const list = await withClient(socket, (c) => c.call('service_statuses'));
  if (o.json) return print(JSON.stringify(list, null, 2));
  print(table(['NAME', 'STATE', 'PID', 'TARGET', 'LAST EXIT', 'RESTARTS'], list.map((s) => [s.name, s.state, s.pid ? String(s.pid) : '-', s.target, describeExit(s.exit), String(s.restarts)])));
}

export async function serviceStatus(socket: string, name: string, o: OutputOptions): Promise<void> {
  const s = await withClient(socket, (c) => c.call('service_status', [name]));
  if (o.json) return print(JSON.stringify(s, null, 2));
  const lines = [`name:     ${s.name}`, `state:    ${s.state}`, `pid:      ${s.pid || '-'}`, `target:   ${s.target}`, `last exit: ${describeExit(s.exit)}`, `restarts: ${s.restarts}`];
  if (s.reason) lines.push(`reason:   ${s.reason}`);
  lines.push(...warningLines(s.warnings));
  const deps = Object.entries(s.after);
  lines.push(deps.length === 0 ? 'after:    -' : 'after:');
  for (const [dep, state] of deps) lines.push(`  ${dep}: ${state}`);
  print(lines.join('\n'));
}

function print(s: string): void {
  process.stdout.write(`${s}\n`);
}
