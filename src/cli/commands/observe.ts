// log, stats, tree: what the services print and what their process trees look like now.
import type { Command } from 'commander';
import { renderTree } from '../render-tree.js';
import { bytes, table } from '../format.js';
import { socketPath, withClient, type Globals } from '../connect.js';


export function registerObserveCommands(program: Command, globals: Globals): void {
  const sock = (): string => socketPath(globals().socket);

  program
    .command('log')
    .argument('[name]', 'one service; all when absent')
    .option('-s, --snapshot', 'print what is there now and exit')
    .description('service output; follows unless -s')
    .action(async (name: string | undefined, o: { snapshot?: boolean }) => {
      await withClient(sock(), async (c) => {
        if (o.snapshot) {
          const lines = await c.call('stream_currentLogs', [name ?? null, 'zinit-ts']);
          if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
          return;
        }
        const sub = await c.followLogs(name ?? null, (line) => process.stdout.write(`${line}\n`), { history: true, format: 'zinit-ts' });
        await sub.closed;
      });
    });

  program
    .command('stats')
    .argument('<name>')
    .option('--json', 'machine-readable output')
    .description("CPU and memory of the service's whole process tree")
    .action(async (name: string, o: { json?: boolean }) => {
      const s = await withClient(sock(), (c) => c.call('service_stats', [name]));
      if (o.json) return void process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
      process.stdout.write(`${table(['NAME', 'PID', 'PROCESSES', 'CPU', 'MEMORY'], [[s.name, String(s.pid || '-'), String(s.tree.processes), `${s.tree.cpuPercent.toFixed(1)}%`, bytes(s.tree.memoryBytes)]])}\n`);
    });

  program
    .command('tree')
    .argument('[name]', 'one service; all when absent')
    .option('--json', 'machine-readable output')
    .description('the live process tree of each service, escaped descendants included')
    .action(async (name: string | undefined, o: { json?: boolean }) => {
      const trees = await withClient(sock(), (c) => c.call('service_tree', name === undefined ? [] : [name]));
      if (o.json) return void process.stdout.write(`${JSON.stringify(trees, null, 2)}\n`);
      const out: string[] = [];
      for (const [svc, nodes] of Object.entries(trees)) {
        out.push(nodes.length === 0 ? `${svc} (no process)` : svc);
        // On a terminal each line fits its width; piped, lines stay whole (and --json has everything).
        out.push(...renderTree(nodes, process.stdout.isTTY ? process.stdout.columns || 80 : Infinity));
      }
      process.stdout.write(`${out.join('\n')}\n`);
    });
}
