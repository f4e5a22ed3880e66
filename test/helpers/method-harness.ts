// The control socket's method table over a fake OS, fake files and a fake clock, and a way to call it as the server does.
import assert from 'node:assert/strict';
import type { ParseResult } from '../../src/config/parse-service.js';
import type { ServiceConfig } from '../../src/config/types.js';
import { RpcError } from '../../src/errors/errors.js';
import { buildMethods, type HandlerDeps } from '../../src/ipc/handlers.js';
import { LogFanout } from '../../src/ipc/log-fanout.js';
import type { MethodTable, RpcContext } from '../../src/ipc/method-table.js';
import { checkRequest } from '../../src/ipc/request-check.js';
import { LogStore } from '../../src/log/log-store.js';
import { ServiceManager } from '../../src/supervisor/manager.js';
import { TransientRuns } from '../../src/supervisor/transient-runs.js';
import { FakeClock } from './fake-clock.js';
import { FakeOs } from './fake-os.js';
import { fakeContext } from './fake-rpc-context.js';
import { FakeServiceFiles } from './fake-service-files.js';
import { quietLogger, svc } from './service-config.js';

export interface HarnessOptions {
  readonly loadService?: (name: string) => Promise<ParseResult>;
  readonly maxFollowers?: number;
  /** Services loaded at the start; `web` and `idle` (neither started) by default. */
  readonly services?: readonly ServiceConfig[];
}

export function methodHarness(options: HarnessOptions = {}) {
  const clock = new FakeClock();
  const os = new FakeOs();
  const logs = new LogStore({ capacityPerService: 10 });
  const files = new FakeServiceFiles();
  const manager = new ServiceManager({
    proc: os,
    table: os,
    clock,
    logger: quietLogger,
    env: () => ({}),
    output: () => null,
    childEvents: os,
    onSpawned: (c) => void logs.markStart(c.name),
  });
  manager.load(new Map((options.services ?? [svc('web'), svc('idle')]).map((c) => [c.name, c])), []);
  const deps: HandlerDeps = {
    manager,
    logs,
    followers: new LogFanout(logs, options.maxFollowers === undefined ? {} : { maxFollowers: options.maxFollowers }),
    table: os,
    transientRuns: new TransientRuns({ proc: os, table: os, clock, logger: quietLogger, env: () => ({}) }),
    version: '0.0.0-test',
    loadConfig: () => Promise.resolve({ services: new Map(), errors: [] }),
    loadService: options.loadService ?? ((name) => Promise.resolve({ config: svc(name), errors: [] })),
    serviceFiles: files,
    requestShutdown: () => new Promise(() => undefined),
    commandLine: () => [],
  };
  return { os, clock, manager, logs, files, methods: buildMethods(deps) };
}

export type Answer = { result: unknown } | { error: { code: number; message: string; data?: unknown } };

/** Runs a request as the server does: checks, then the handler; an RpcError becomes the error answer. */
export async function call(methods: MethodTable, method: string, params?: unknown, ctx: RpcContext = fakeContext()): Promise<Answer> {
  const checked = checkRequest({ jsonrpc: '2.0', id: 1, method, ...(params === undefined ? {} : { params }) }, methods);
  if (!checked.ok) return { error: checked.error.toJSON() };
  try {
    return { result: await checked.spec.handler(checked.params, ctx) };
  } catch (err) {
    if (err instanceof RpcError) return { error: err.toJSON() };
    throw err;
  }
}

export async function resultOf(methods: MethodTable, method: string, params?: unknown, ctx?: RpcContext): Promise<unknown> {
  const answer = await call(methods, method, params, ctx);
  assert.ok('result' in answer, `${method} answered ${JSON.stringify(answer)}`);
  return answer.result;
}

export async function errorOf(methods: MethodTable, method: string, params?: unknown): Promise<{ code: number; message: string; data?: unknown }> {
  const answer = await call(methods, method, params);
  assert.ok('error' in answer, `${method} answered ${JSON.stringify(answer)}`);
  return answer.error;
}
