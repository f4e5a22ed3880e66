// What the method handlers are given (the manager, logs, runs, the config loader and files, shutdown) and the shape every handler has.
import type { LoadResult } from '../../config/types.js';
import type { ParseResult } from '../../config/parse-service.js';
import type { LogStore } from '../../log/log-store.js';
import type { ServiceManager } from '../../supervisor/manager.js';
import type { TransientRuns } from '../../supervisor/transient-runs.js';
import type { ProcessTablePort } from '../../supervisor/ports.js';
import type { Args, MethodName, Result } from '../api.js';
import type { ShutdownOutcome } from '../api-results.js';
import type { LogFanout } from '../log-fanout.js';
import type { RpcContext } from '../method-table.js';
import type { ServiceFilesPort } from './service-files-port.js';

export type ShutdownKind = 'stop' | 'poweroff' | 'reboot';

export interface HandlerDeps {
  readonly manager: ServiceManager;
  readonly logs: LogStore;
  readonly followers: LogFanout;
  readonly table: ProcessTablePort;
  readonly transientRuns: TransientRuns;
  readonly version: string;
  /** Loads the whole config directory (for reload), off the main thread. */
  readonly loadConfig: () => Promise<LoadResult>;
  /** Loads one service's file from the config directory (for monitor). */
  readonly loadService: (name: string) => Promise<ParseResult>;
  /** The config directory's files, for create, get and delete. */
  readonly serviceFiles: ServiceFilesPort;
  /** Starts the one shutdown (a later request joins it); resolves once everything is stopped, with the report. */
  readonly requestShutdown: (kind: ShutdownKind) => Promise<ShutdownOutcome>;
  /** The command line of a live process, for `tree`. */
  readonly commandLine: (pid: number) => readonly string[];
}

/** A method's handler, typed by its declaration: params checked by then, result as declared. */
export type Handler<M extends MethodName> = (args: Args<M>, ctx: RpcContext) => Result<M> | Promise<Result<M>>;

/** Handlers for some of the methods. */
export type HandlerGroup<M extends MethodName> = { readonly [K in M]: Handler<K> };
