// start, stop, restart, kill, monitor, forget, reload, shutdown, reboot, and list and status (query.ts) registered: thin calls to the daemon.
import type { Command } from 'commander';
import type { Result } from '../../ipc/api.js';
import type { ShutdownOutcome } from '../../ipc/api-results.js';
import { TransportError } from '../../ipc/client.js';
import { ErrorCode } from '../../errors/codes.js';
import { ZinitClient } from '../../ipc/zinit-client.js';
import { CliError } from '../cli-error.js';
import { socketPath, withClient, type Globals } from '../connect.js';
import type { Advice } from '../rpc-advice.js';
import { listServices, serviceStatus } from './query.js';

/** The methods that take a service name and nothing else. */
type NameMethod = 'service_start' | 'service_stop' | 'service_restart' | 'service_monitor' | 'service_forget';

export function registerServiceCommands(program: Command, globals: Globals): void {
  const sock = (): string => socketPath(globals().socket);

  program
    .command('list')
    .description('every service with state, pid, target')
    .option('--json', 'machine-readable output')
    .action((o: { json?: boolean }) => listServices(sock(), o));

  program
    .command('status')
    .argument('<name>')
    .description('one service: state, pid, target, dependencies and their states, last exit')
    .option('--json', 'machine-readable output')
    .action((name: string, o: { json?: boolean }) => serviceStatus(sock(), name, o));

  const simple = <M extends NameMethod>(
    cmd: string,
    method: M,
    desc: string,
    done: (name: string, r: Result<M>) => string | null,
    advice?: (name: string) => Advice,
  ): void => {
    program
      .command(cmd)
      .argument('<name>')
      .description(desc)
      .action(async (name: string) => {
        // Every one of these takes [name]: the call is typed over the union, the result narrowed to M's. A stop asks for its report.
        const params: [string] | [string, boolean] = method === 'service_stop' ? [name, true] : [name];
        const r = await withClient(sock(), (c) => c.call<NameMethod>(method, params) as Promise<Result<M>>, advice?.(name));
        const msg = done(name, r);
        if (msg) print(msg);
      });
  };
  simple('start', 'service_start', 'start a service', () => null);
  simple('stop', 'service_stop', 'stop a service; returns once every process of it is gone', (name, s) =>
    s ? `${name} stopped in ${s.durationMs} ms${s.sigkill ? ' (SIGKILL needed)' : ''}` : `${name} was not running`,
  );
  simple('restart', 'service_restart', 'stop a service, then start it', () => null);
  simple('monitor', 'service_monitor', 'load <name>.yaml from the config directory and start it', () => null);
  simple('forget', 'service_forget', 'drop a stopped service', () => null, (name) => ({
    [ErrorCode.SERVICE_IS_UP]: () => `stop it first with \`zinit-ts stop ${name}\``,
  }));

  program
    .command('kill')
    .argument('<name>')
    .argument('[signal]', 'signal name', 'SIGTERM')
    .description("send a signal to the service's process group")
    .action(async (name: string, signal: string) => {
      await withClient(sock(), (c) => c.call('service_kill', [name, signal]));
    });

  program
    .command('reload')
    .description('re-read the config directory and apply the difference')
    .action(async () => {
      const r = await withClient(sock(), (c) => c.call('system_reload'));
      print(`added: ${r.added.join(', ') || '-'}\nremoved: ${r.removed.join(', ') || '-'}\nchanged: ${r.changed.join(', ') || '-'}`);
      for (const e of r.errors) process.stderr.write(`${e}\n`);
      if (r.errors.length > 0) process.exitCode = 1;
    });

  for (const [cmd, method] of [
    ['shutdown', 'system_shutdown'],
    ['reboot', 'system_reboot'],
  ] as const) {
    program
      .command(cmd)
      .description(`stop every service in order, then ${cmd === 'shutdown' ? 'exit (power off as PID 1 on a machine)' : 'exit (reboot as PID 1 on a machine)'}; waits and prints the shutdown report`)
      .option('--no-wait', 'return as soon as the shutdown has started')
      .action(async (o: { wait: boolean }) => {
        if (!o.wait) return void (await withClient(sock(), (c) => c.call(method)));
        const outcome = await waitForShutdown(sock(), method);
        print(outcome.report.join('\n'));
        if (outcome.remaining > 0) throw new CliError(`${outcome.remaining} process(es) were still alive after the shutdown`, 1);
      });
  }
}

/** Asks for the shutdown and waits for its report; on a terminal, a line tells what it still waits for. */
async function waitForShutdown(socket: string, method: 'system_shutdown' | 'system_reboot'): Promise<ShutdownOutcome> {
  const progress = process.stderr.isTTY ? startProgress(socket) : null;
  try {
    const outcome = await withClient(socket, async (c) => {
      try {
        return await c.call(method, { wait: true });
      } catch (err) {
        if (err instanceof TransportError && err.kind === 'closed') throw new CliError('the connection to zinit-ts ended before the shutdown finished; see its log', 1);
        throw err;
      }
    });
    // zinit answers null at once whatever it is asked.
    if (outcome === null || typeof outcome !== 'object') throw new CliError('the daemon does not report on its shutdown (not zinit-ts?); use --no-wait', 1);
    return outcome;
  } finally {
    progress?.stop();
  }
}

function startProgress(socket: string): { stop(): void } {
  const t0 = Date.now();
  let stopped = false;
  let busy = false;
  const tick = async (): Promise<void> => {
    if (busy || stopped) return;
    busy = true;
    try {
      const c = await ZinitClient.connect({ socket, timeoutMs: 1000 });
      const list = await c.call('service_statuses', [], { timeoutMs: 1000 });
      await c.close();
      const left = list.filter((s) => s.pid !== 0).map((s) => s.name);
      if (!stopped) process.stderr.write(`\r\x1b[Kstopping (${((Date.now() - t0) / 1000).toFixed(1)} s): ${left.length === 0 ? 'sweeping' : left.join(', ')}`);
    } catch {
      // The daemon is closing its socket: the final answer comes on the other connection.
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), 250);
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
      process.stderr.write('\r\x1b[K');
    },
  };
}

function print(s: string): void {
  process.stdout.write(`${s}\n`);
}
