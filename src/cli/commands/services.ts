// list, status, start, stop, restart, monitor, forget, kill, reload, shutdown, reboot registered: thin calls to the daemon (list and status in query.ts).
import { Option, type Command } from 'commander';
import type { ShutdownOutcome } from '../../ipc/api-results.js';
import { TransportError } from '../../ipc/client.js';
import { ErrorCode } from '../../errors/codes.js';
import { RpcError } from '../../errors/errors.js';
import { ZinitClient } from '../../ipc/zinit-client.js';
import { CliError } from '../cli-error.js';
import { socketPath, withClient, type Globals } from '../connect.js';
import type { Advice } from '../rpc-advice.js';
import { needsZinitTs, orZinit } from '../zinit-fallback.js';
import { listServices, serviceStatus } from './query.js';
import { restartOnZinit } from './restart-on-zinit.js';
import { printListYaml, printStatusYaml } from './yaml-views.js';

export function registerServiceCommands(program: Command, globals: Globals): void {
  const sock = (): string => socketPath(globals().socket);

  program
    .command('list')
    .description('every service with state, pid, target (the same as no command at all)')
    .addOption(new Option('--json', 'machine-readable output').conflicts('yaml'))
    .option('--yaml', "zinit's output: {name: state} as YAML")
    .action((o: { json?: boolean; yaml?: boolean }) => (o.yaml ? printListYaml(sock()) : listServices(sock(), o)));

  program
    .command('status')
    .argument('<name>')
    .description('one service: state, pid, target, dependencies and their states, last exit')
    .addOption(new Option('--json', 'machine-readable output').conflicts('yaml'))
    .option('--yaml', "zinit's output: name, pid, state, target, after as YAML")
    .action((name: string, o: { json?: boolean; yaml?: boolean }) => (o.yaml ? printStatusYaml(sock(), name) : serviceStatus(sock(), name, o)));

  program
    .command('start')
    .argument('<name>')
    .description('start a service; one that is already running is left as it is')
    .action(async (name: string) => {
      await withClient(sock(), async (c) => {
        try {
          await c.call('service_start', [name]);
        } catch (err) {
          // What it asks for is already so: zinit, and zinit-ts since, answer null here; earlier daemons said SERVICE_IS_UP.
          if (!(err instanceof RpcError && err.code === ErrorCode.SERVICE_IS_UP)) throw err;
        }
      });
    });

  program
    .command('stop')
    .argument('<name>')
    .option('-v, --verbose', 'print how the stop went: how long it took, whether SIGKILL was needed')
    .description('stop a service; returns once every process of it is gone, printing nothing unless -v')
    .action(async (name: string, o: { verbose?: boolean }) => {
      if (o.verbose !== true) return void (await withClient(sock(), (c) => c.call('service_stop', [name])));
      const r = await withClient(sock(), (c) => c.call('service_stop', { name, report: true }));
      // null: nothing ran (or the daemon is a zinit, which does not report on stops).
      print(r ? `${name} stopped in ${r.durationMs} ms${r.sigkill ? ' (SIGKILL needed)' : ''}` : `${name}: no process to stop`);
    });

  program
    .command('restart')
    .argument('<name>')
    .description('stop a service, then start it')
    .action(async (name: string) => {
      await withClient(sock(), (c) => orZinit(() => c.call('service_restart', [name]), () => restartOnZinit(c, name)));
    });

  const simple = (cmd: string, method: 'service_monitor' | 'service_forget', desc: string, advice?: (name: string) => Advice): void => {
    program
      .command(cmd)
      .argument('<name>')
      .description(desc)
      .action(async (name: string) => {
        await withClient(sock(), (c) => c.call(method, [name]), advice?.(name));
      });
  };
  simple('monitor', 'service_monitor', 'load <name>.yaml from the config directory and start it');
  simple('forget', 'service_forget', 'drop a stopped service', (name) => ({
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
    .description('re-read the config directory and apply the difference (zinit-ts only)')
    .action(async () => {
      const r = await withClient(sock(), (c) => needsZinitTs('reload', sock(), () => c.call('system_reload')));
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
        if (outcome === null) return;
        print(outcome.report.join('\n'));
        if (outcome.remaining > 0) throw new CliError(`${outcome.remaining} process(es) were still alive after the shutdown`, 1);
      });
  }
}

/** Asks for the shutdown and waits for its report; on a terminal, a line tells what it still waits for. */
async function waitForShutdown(socket: string, method: 'system_shutdown' | 'system_reboot'): Promise<ShutdownOutcome | null> {
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
    // zinit answers null, whatever it is asked: the shutdown is under way, and there is nothing to report.
    return outcome === null || typeof outcome !== 'object' ? null : outcome;
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
