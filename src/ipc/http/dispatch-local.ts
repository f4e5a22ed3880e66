// The daemon's HTTP requests go through the control socket's own method table and answering code: the same checks, handlers and errors.
import { SubscriptionOverHttpError } from '../../errors/http-errors.js';
import type { MethodSpec, MethodTable } from '../method-table.js';
import { answerMessage } from '../server/answer.js';
import type { RpcLogger } from '../server/connection-limits.js';
import type { Dispatch } from './dispatch.js';
import { httpContext } from './http-context.js';
import { SUBSCRIPTION_METHODS } from './subscription-methods.js';

/** The same table, where a subscription answers that HTTP cannot carry it (its params still checked first). */
export function httpMethodTable(methods: MethodTable): MethodTable {
  const table: Record<string, MethodSpec> = {};
  for (const [name, spec] of Object.entries(methods)) {
    table[name] = SUBSCRIPTION_METHODS.has(name)
      ? {
          ...spec,
          handler: () => {
            throw new SubscriptionOverHttpError(name);
          },
        }
      : spec;
  }
  return table;
}

export function localDispatch(methods: MethodTable, logger: RpcLogger | undefined): Dispatch {
  const table = httpMethodTable(methods);
  return async (message, signal) => {
    let answer: string | null = null;
    await answerMessage(message, { methods: table, ctx: httpContext(signal), logger, send: (line) => (answer = line) });
    return answer;
  };
}
