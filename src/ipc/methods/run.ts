// system_run: a one-off command under the manager, its output and exit streamed to the client that asked.
import { exitCodeOf } from '../../supervisor/signal-number.js';
import type { Args } from '../api.js';
import { InvalidParamsError, ShuttingDownError } from '../../errors/errors.js';
import type { RpcContext } from '../method-table.js';
import { RunStream } from '../run-stream.js';
import { nextSubscriptionId } from '../subscription-id.js';
import type { HandlerDeps, HandlerGroup } from './handler-deps.js';

export function runHandlers(d: HandlerDeps): HandlerGroup<'system_run'> {
  return { system_run: (p, ctx) => runTransient(d, p, ctx) };
}

/** The shape of `options` was only checked as an object: each key is checked here. */
function checkOptions(o: Readonly<Record<string, unknown>>): void {
  const timeout = o.timeout;
  if (timeout !== undefined && (typeof timeout !== 'number' || !(timeout > 0)))
    throw new InvalidParamsError(null, `options.timeout must be a positive number of seconds, got ${JSON.stringify(timeout)}`);
  const env = o.env ?? {};
  if (typeof env !== 'object' || env === null || Object.values(env).some((v) => typeof v !== 'string'))
    throw new InvalidParamsError(null, 'options.env must be an object of strings: {"KEY": "value"}');
  if (o.dir !== undefined && typeof o.dir !== 'string') throw new InvalidParamsError(null, 'options.dir must be a path string');
}

function runTransient(d: HandlerDeps, p: Args<'system_run'>, ctx: RpcContext): number {
  if (p.argv.length === 0) throw new InvalidParamsError(null, 'argv must name a command: ["cmd", "arg", …]');
  const o = p.options ?? {};
  checkOptions(o);
  if (d.manager.shuttingDown) throw new ShuttingDownError();
  const release = ctx.openStream();
  const stream = new RunStream(ctx, nextSubscriptionId());
  const { info, done, flow } = d.transientRuns.start(
    {
      argv: p.argv,
      env: o.env ?? {},
      dir: typeof o.dir === 'string' ? o.dir : '/',
      name: typeof o.name === 'string' ? o.name : null,
      timeoutMs: typeof o.timeout === 'number' ? o.timeout * 1000 : null,
      uid: null,
      gid: null,
    },
    (s, text) => stream.output({ stream: s, text }),
  );
  stream.useFlow(flow);
  const onAbort = (): void => void d.transientRuns.cancel(info.id);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  void done.then((r) => {
    ctx.signal.removeEventListener('abort', onAbort);
    release();
    stream.finish({ id: info.id, pid: info.pid, code: r.code, signal: r.signal, exitCode: exitCodeOf(r), timedOut: r.timedOut, spawnError: r.spawnError });
  });
  return stream.id;
}
