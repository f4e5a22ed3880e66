// The control socket's method table: each method's declaration (api.ts) joined with its handler, and rpc.discover describing them all.
import { API, METHOD_NAMES, type MethodName } from './api.js';
import { ErrorCode } from '../errors/codes.js';
import type { MethodSpec, MethodTable } from './method-table.js';
import { buildOpenRpcDocument } from './openrpc.js';
import type { Handler, HandlerDeps } from './methods/handler-deps.js';
import { logHandlers } from './methods/logs.js';
import { runHandlers } from './methods/run.js';
import { serviceFileHandlers } from './methods/service-files.js';
import { serviceHandlers } from './methods/services.js';
import { systemHandlers } from './methods/system.js';

export type { HandlerDeps, ShutdownKind } from './methods/handler-deps.js';
export type { ShutdownOutcome, StatusJson } from './api-results.js';
export { statusJson } from './methods/services.js';

type Handlers = { readonly [M in MethodName]: Handler<M> };

/** A method's runtime entry: what the binder checks, what the document says, and its handler. */
export function methodSpec<M extends MethodName>(method: M, handler: Handler<M>): MethodSpec {
  const declared = API[method];
  return {
    params: declared.params,
    summary: declared.summary,
    result: { name: declared.result.name, schema: declared.result.schema.json },
    errors: [...declared.errors.map((n) => ErrorCode[n]), ErrorCode.INTERNAL_ERROR],
    // The binder has checked every param against its declared type.
    handler: handler as unknown as MethodSpec['handler'],
  };
}

export function buildMethods(d: HandlerDeps): MethodTable {
  const methods: Record<string, MethodSpec> = {};
  const handlers: Handlers = {
    ...serviceHandlers(d),
    ...serviceFileHandlers(d),
    ...systemHandlers(d),
    ...logHandlers(d),
    ...runHandlers(d),
    'rpc.discover': () => buildOpenRpcDocument(methods, { version: d.version }),
  };
  for (const method of METHOD_NAMES) methods[method] = methodSpec(method, handlers[method] as Handler<typeof method>);
  return methods;
}
