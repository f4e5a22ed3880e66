// Where a service's stdout and stderr go, by its `log` setting: its ring, and besides it a log file or the daemon's own stdout and stderr; nowhere for `none`.
import type { ServiceConfig } from '../config/types.js';
import type { SpawnRequest } from '../supervisor/ports.js';

export type OutputStream = 'stdout' | 'stderr';
export type ServiceOutput = NonNullable<SpawnRequest['output']>;

export interface LogFileTarget {
  write(stream: OutputStream, text: string): void;
  close(): Promise<void>;
}

/** The places a line can go. */
export interface OutputTargets {
  /** The service's ring buffer, what `logs` reads. */
  readonly ring: (service: string, stream: OutputStream, text: string) => void;
  /** Marks in the service's ring that a new process of it starts (zinit's `[start]` line). */
  readonly ringStart: (service: string) => void;
  /** The daemon's own stdout or stderr (as the stream), one whole line. */
  readonly daemonOutput: (stream: OutputStream, line: string) => void;
  /** Opens the log file of a service with `log: file`. */
  readonly openFile: (config: ServiceConfig, logFile: string) => LogFileTarget;
}

export class OutputRouting {
  // One file per service, opened on its first process; a later process whose config names another
  // file (or other rotation limits), after a reload, gets that file and the old one is closed.
  readonly #files = new Map<string, { readonly key: string; readonly file: LogFileTarget }>();
  readonly #closing = new Set<Promise<void>>();

  constructor(private readonly targets: OutputTargets) {}

  /** The output of a process of this service; null: discarded. */
  outputOf(c: ServiceConfig): ServiceOutput | null {
    const { ring, daemonOutput } = this.targets;
    if (c.log === 'none') return null;
    if (c.log === 'stdout')
      return (stream, text) => {
        ring(c.name, stream, text);
        // Verbatim, as zinit passes it through: a prefix would break JSON lines meant for a log shipper.
        daemonOutput(stream, `${text}\n`);
      };
    if (c.log === 'file' && c.logFile) {
      const file = this.#fileOf(c, c.logFile);
      return (stream, text) => {
        ring(c.name, stream, text);
        file.write(stream, text);
      };
    }
    return (stream, text) => ring(c.name, stream, text);
  }

  /** The main process of a service was spawned: its ring says so before any line of the new run, where it keeps lines. */
  processStarted(c: ServiceConfig): void {
    if (c.log !== 'none') this.targets.ringStart(c.name);
  }

  /** Closes every log file opened, and waits for those being closed. */
  async close(): Promise<void> {
    await Promise.all([...[...this.#files.values()].map(({ file }) => file.close()), ...this.#closing]);
  }

  #fileOf(c: ServiceConfig, logFile: string): LogFileTarget {
    const key = JSON.stringify([c.dir, logFile, c.logMaxSize, c.logMaxFiles]);
    const open = this.#files.get(c.name);
    if (open?.key === key) return open.file;
    if (open) {
      // What the old process still had queued is written before the file closes.
      const closing = open.file.close().finally(() => this.#closing.delete(closing));
      this.#closing.add(closing);
    }
    const file = this.targets.openFile(c, logFile);
    this.#files.set(c.name, { key, file });
    return file;
  }
}
