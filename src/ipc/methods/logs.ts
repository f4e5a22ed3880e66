// stream_currentLogs, stream_subscribeLogs, stream_unsubscribeLogs: the log rings now, following them, and ending a follow.
import { formatLogLine, formatZinitLine } from '../../log/format-line.js';
import { InvalidParamsError, ServiceNotFoundError } from '../../errors/errors.js';
import { LOG_FORMATS, type LogFormat } from '../api-results.js';
import type { HandlerDeps, HandlerGroup } from './handler-deps.js';

function formatOf(method: string, given: string | undefined): LogFormat {
  if (given === undefined) return 'zinit';
  const known = LOG_FORMATS.find((f) => f === given);
  if (known === undefined) throw new InvalidParamsError(method, `"format" must be ${LOG_FORMATS.map((f) => JSON.stringify(f)).join(' or ')}, got ${JSON.stringify(given)}`, { param: 'format' });
  return known;
}

export function logHandlers(d: HandlerDeps): HandlerGroup<'stream_currentLogs' | 'stream_subscribeLogs' | 'stream_unsubscribeLogs'> {
  // zinit answers a name it does not know with no lines (its filter matches nothing); zinit-ts's form says so.
  const known = (name: string | undefined): void => {
    if (name !== undefined && !d.manager.has(name)) throw new ServiceNotFoundError(name);
  };
  return {
    stream_currentLogs: (p) => {
      const format = formatOf('stream_currentLogs', p.format);
      if (format === 'zinit') return d.logs.snapshot(p.name).map(formatZinitLine);
      known(p.name);
      return d.logs.snapshot(p.name).flatMap((line) => (line.start === true ? [] : [formatLogLine(line)]));
    },
    stream_subscribeLogs: (p, ctx) => {
      const format = formatOf('stream_subscribeLogs', p.format);
      if (format === 'zinit-ts') known(p.filter);
      return d.followers.follow(ctx, p.filter ?? null, p.history === true, format);
    },
    stream_unsubscribeLogs: (p, ctx) => d.followers.unfollow(ctx, p.subscription),
  };
}
