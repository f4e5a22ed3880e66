// stream_currentLogs and stream_subscribeLogs: the log rings now, and following them.
import { formatLogLine } from '../../log/format-line.js';
import { ServiceNotFoundError } from '../../errors/errors.js';
import type { HandlerDeps, HandlerGroup } from './handler-deps.js';

export function logHandlers(d: HandlerDeps): HandlerGroup<'stream_currentLogs' | 'stream_subscribeLogs'> {
  const known = (name: string | undefined): void => {
    if (name !== undefined && !d.manager.has(name)) throw new ServiceNotFoundError(name);
  };
  return {
    stream_currentLogs: (p) => {
      known(p.name);
      return d.logs.snapshot(p.name).map(formatLogLine);
    },
    stream_subscribeLogs: (p, ctx) => {
      known(p.name);
      return d.followers.follow(ctx, p.name ?? null, p.history === true);
    },
  };
}
