// list, status, start, stop, restart, kill, monitor, forget, reload, shutdown, reboot: thin calls to the daemon.
import type { Command } from 'commander';
import type { StatusJson } from '../../ipc/handlers.js';
import { describeExit, table } from '../format.js';
import { socketPath, withClient } from '../connect.js';

type Globals = () => { socket?: string };

export function registerServiceCommands(program: Command, globals: Globals): void {
  const sock = (): string => socketPath(globals().socket);

  program
    .command('list')
    .description('every service with state, pid, target')
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      const list = (await withClient(sock(), (c) => c.call('service_statuses'))) as StatusJson[];
      if (o.json) return print(JSON.stringify(list, null, 2));
      print(table(['NAME', 'STATE', 'PID', 'TARGET', 'LAST EXIT', 'RESTARTS'], list.map((s) => [s.name, s.state, s.pid ? String(s.pid) : '-', s.target, describeExit(s.exit), String(s.restarts)])));
    });

  program
    .command('status')
    .argument('<name>')
    .description('one service: state, pid, target, dependencies and their states, last exit')
    .option('--json', 'machine-readable output')
    .action(async (name: string, o: { json?: boolean }) => {
      const s = (await withClient(sock(), (c) => c.call('service_status', [name]))) as StatusJson;
      if (o.json) return print(JSON.stringify(s, null, 2));
      const lines = [`name:     ${s.name}`, `state:    ${s.state}`, `pid:      ${s.pid || '-'}`, `target:   ${s.target}`, `last exit: ${describeExit(s.exit)}`, `restarts: ${s.restarts}`];
      if (s.reason) lines.push(`reason:   ${s.reason}`);
      const deps = Object.entries(s.after);
      lines.push(deps.length === 0 ? 'after:    -' : 'after:');
      for (const [dep, state] of deps) lines.push(`  ${dep}: ${state}`);
      print(lines.join('\n'));
    });

  const simple = (cmd: string, method: string, desc: string, done: (name: string, r: unknown) => string | null): void => {
    program
      .command(cmd)
      .argument('<name>')
      .description(desc)
      .action(async (name: string) => {
        const r = await withClient(sock(), (c) => c.call(method, [name]));
        const msg = done(name, r);
        if (msg) print(msg);
      });
  };
  simple('start', 'service_start', 'start a service', () => null);
  simple('stop', 'service_stop', 'stop a service; returns once every process of it is gone', (name, r) => {
    const s = r as { durationMs: number; sigkill: boolean; descendants: number } | null;
    return s ? `${name} stopped in ${s.durationMs} ms${s.sigkill ? ' (SIGKILL needed)' : ''}` : `${name} was not running`;
  });
  simple('restart', 'service_restart', 'stop a service, then start it', () => null);
  simple('monitor', 'service_monitor', 'load <name>.yaml from the config directory and start it', () => null);
  simple('forget', 'service_forget', 'drop a stopped service', () => null);

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
      const r = (await withClient(sock(), (c) => c.call('system_reload'))) as { added: string[]; removed: string[]; changed: string[]; errors: string[] };
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
      .description(`stop every service in order, then ${cmd === 'shutdown' ? 'exit (power off as PID 1 on a machine)' : 'exit (reboot as PID 1 on a machine)'}`)
      .action(async () => {
        await withClient(sock(), (c) => c.call(method));
      });
  }
}

function print(s: string): void {
  process.stdout.write(`${s}\n`);
}
