// `init`: run the manager in the foreground.
import type { Command } from 'commander';
import { DEFAULT_MAX_HEAP_MIB } from '../heap-limit.js';
import { handoffEnvironment, startDaemon, type HandedOptions } from '../init-handoff.js';
import { parseSignal } from '../../config/signals.js';
import { CliError } from '../cli-error.js';
import { socketPath, type Globals } from '../connect.js';
import { parseListen } from '../../ipc/listen-address.js';
import { httpAllowOriginOption, httpAllowRemoteOption, httpOptionsOf, httpTokenFileOption, type HttpFlagValues } from '../http-flags.js';

export const DEFAULT_SHUTDOWN_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP'];


export function registerInit(program: Command, globals: Globals): void {
  program
    .command('init')
    .description('run the manager in the foreground')
    .option('-c, --config <dir>', 'config directory', '/etc/zinit')
    .option('--container', 'exit when everything is stopped (code 0, or a failed critical service’s code)')
    .option('-b, --buffer <lines>', 'log lines kept per service', '2000')
    .option('--log-format <format>', 'text or json', 'text')
    .option('--metrics <addr:port>', 'serve Prometheus /metrics and /healthz (off by default)')
    .option('--shutdown-signals <list>', 'comma-separated signals that start a shutdown', DEFAULT_SHUTDOWN_SIGNALS.join(','))
    .option('--max-heap <MiB>', "the daemon's JavaScript heap limit (0: Node's default)", String(DEFAULT_MAX_HEAP_MIB))
    .option('--environment-file <path>', 'NAME=VALUE lines every service gets, read once at start (default: $ZINIT_TS_ENVIRONMENT_FILE, else /etc/environment; "" for none)')
    .option('--cgroup <auto|off|PATH>', 'keep each service in a cgroup v2 of its own: auto (where the cgroup filesystem is writable), off (/proc discovery), or the cgroup directory to use', 'auto')
    .option('--require-cgroup', 'refuse to run without cgroup mode, and refuse a service whose limits the kernel cannot enforce')
    .addOption(httpTokenFileOption())
    .addOption(httpAllowRemoteOption())
    .addOption(httpAllowOriginOption())
    .action(async (o: { config: string; container?: boolean; buffer: string; logFormat: string; shutdownSignals: string; metrics?: string; maxHeap: string; environmentFile?: string; cgroup: string; requireCgroup?: boolean } & HttpFlagValues) => {
      const maxHeap = Number(o.maxHeap);
      if (!Number.isInteger(maxHeap) || maxHeap < 0 || (maxHeap > 0 && maxHeap < 64)) throw new CliError(`--max-heap must be a whole number of MiB, at least 64 (or 0 for Node's default), got "${o.maxHeap}"`);
      const buffer = Number(o.buffer);
      if (!Number.isInteger(buffer) || buffer < 1) throw new CliError(`--buffer must be a positive whole number of lines, got "${o.buffer}"`);
      if (o.logFormat !== 'text' && o.logFormat !== 'json') throw new CliError(`--log-format must be text or json, got "${o.logFormat}"`);
      const signals = o.shutdownSignals.split(',').map((s) => {
        const sig = parseSignal(s.trim());
        if (!sig || sig === 'SIGKILL' || sig === 'SIGSTOP' || sig === 'SIGCHLD') throw new CliError(`--shutdown-signals: "${s}" cannot be used; use names such as SIGTERM,SIGINT`);
        return sig;
      });
      if (o.cgroup !== 'auto' && o.cgroup !== 'off' && !o.cgroup.startsWith('/')) throw new CliError(`--cgroup must be auto, off or an absolute path to a cgroup v2 directory, got "${o.cgroup}"`);
      if (o.cgroup === 'off' && o.requireCgroup === true) throw new CliError('--require-cgroup cannot be used with --cgroup off: drop one of them');
      if (o.metrics !== undefined) {
        try {
          parseListen(o.metrics);
        } catch (err) {
          throw new CliError((err as Error).message);
        }
      }
      const options: HandedOptions = {
        configDir: o.config,
        socketPath: socketPath(globals().socket),
        container: o.container === true,
        bufferLines: buffer,
        logFormat: o.logFormat,
        shutdownSignals: signals,
        metrics: o.metrics ?? null,
        http: httpOptionsOf(o),
        logLevel: globals().debug === true ? 'debug' : 'info',
        environmentFile: o.environmentFile,
        cgroup: o.cgroup,
        requireCgroup: o.requireCgroup === true,
      };
      // The re-executed process gets the options and starts the daemon without parsing the command line again.
      await startDaemon(maxHeap, options, handoffEnvironment(maxHeap, options));
    });
}
