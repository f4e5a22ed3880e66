// log, stats, tree: what the services print and what their process trees look like now.
import { Option, type Command } from 'commander';
import type { ServiceStats } from '../../ipc/api-results.js';
import type { ZinitClient } from '../../ipc/zinit-client.js';
import { renderTree } from '../render-tree.js';
import { bytes, table } from '../format.js';
import { socketPath, withClient, type Globals } from '../connect.js';
import { isMethodNotFound, needsZinitTs } from '../zinit-fallback.js';
import { printStatsYaml } from './yaml-views.js';

/** What `service_stats` answers: zinit's fields, and zinit-ts's totals over the whole tree, which a zinit does not send. */
type StatsAnswer = Omit<ServiceStats, 'tree'> & { readonly tree?: ServiceStats['tree'] };

export function registerObserveCommands(program: Command, globals: Globals): void {
  const sock = (): string => socketPath(globals().socket);

  program
    .command('log')
    .argument('[name]', 'one service; all when absent')
    .option('-s, --snapshot', 'print what is there now and exit')
    .description('service output; follows unless -s')
    .action(async (name: string | undefined, o: { snapshot?: boolean }) => {
      await withClient(sock(), (c) => (o.snapshot ? printLog(c, name) : followLog(c, name)));
    });

  program
    .command('stats')
    .argument('<name>')
    .addOption(new Option('--json', 'machine-readable output').conflicts('yaml'))
    .option('--yaml', "zinit's output: the main process's memory and CPU, and each descendant's, as YAML")
    .description("CPU and memory of the service's whole process tree")
    .action(async (name: string, o: { json?: boolean; yaml?: boolean }) => {
      if (o.yaml) return printStatsYaml(sock(), name);
      const s: StatsAnswer = await withClient(sock(), (c) => c.call('service_stats', [name]));
      if (o.json) return void process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
      const t = s.tree ?? totalsOf(s);
      process.stdout.write(`${table(['NAME', 'PID', 'PROCESSES', 'CPU', 'MEMORY'], [[s.name, String(s.pid || '-'), String(t.processes), `${t.cpuPercent.toFixed(1)}%`, bytes(t.memoryBytes)]])}\n`);
      // cgroup mode: the kernel's own figures for the leaf, every process counted, whatever it did to its environment.
      if (s.cgroup) process.stdout.write(`cgroup: ${s.cgroup.cpuPercent === null ? 'cpu -' : `cpu ${s.cgroup.cpuPercent.toFixed(1)}%`}, ${s.cgroup.memoryBytes === null ? 'memory.current - (no memory controller)' : `memory.current ${bytes(s.cgroup.memoryBytes)}`}\n`);
    });

  program
    .command('tree')
    .argument('[name]', 'one service; all when absent')
    .option('--json', 'machine-readable output')
    .description('the live process tree of each service, escaped descendants included (zinit-ts only)')
    .action(async (name: string | undefined, o: { json?: boolean }) => {
      const trees = await withClient(sock(), (c) => needsZinitTs('tree', sock(), () => c.call('service_tree', name === undefined ? [] : [name])));
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

/** A zinit's stats have no totals: the main process and its descendants, added up. */
function totalsOf(s: StatsAnswer): ServiceStats['tree'] {
  return {
    processes: 1 + s.children.length,
    cpuPercent: s.children.reduce((sum, ch) => sum + ch.cpu_usage, s.cpu_usage),
    memoryBytes: s.children.reduce((sum, ch) => sum + ch.memory_usage, s.memory_usage),
  };
}

function printLines(lines: readonly string[]): void {
  if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
}

/** `log -s`: zinit-ts's lines (time, service, stream); a zinit ignores the format and sends its `[+] svc: text` lines, printed as they come. */
async function printLog(c: ZinitClient, name: string | undefined): Promise<void> {
  const lines = await c.call('stream_currentLogs', { format: 'zinit-ts', ...(name === undefined ? {} : { name }) });
  // zinit-ts refuses a name it does not know; a zinit answers [], so ask it whether the service exists, as zinit's CLI does.
  if (lines.length === 0 && name !== undefined) await c.call('service_status', [name]);
  printLines(lines);
}

/** `log`: the retained lines, then the new ones as they come, until the daemon ends the stream. */
async function followLog(c: ZinitClient, name: string | undefined): Promise<void> {
  const filter = name === undefined ? {} : { filter: name };
  // A zinit knows neither the history nor the format param: the lines it has now are a call of their own.
  const zinit = await c.call('service_statuses').then(
    () => false,
    (err: unknown) => {
      if (isMethodNotFound(err)) return true;
      throw err;
    },
  );
  if (zinit) {
    if (name !== undefined) await c.call('service_status', [name]);
    printLines(await c.call('stream_currentLogs', name === undefined ? [] : [name]));
  }
  const print = (line: string): boolean => process.stdout.write(`${line}\n`);
  const sub = zinit
    ? await c.subscribe('stream_subscribeLogs', name === undefined ? [] : [name], print)
    : await c.subscribe('stream_subscribeLogs', { ...filter, history: true, format: 'zinit-ts' }, print);
  await sub.closed;
}
