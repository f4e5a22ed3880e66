// The manager's own logger: one rendered line per entry, written straight to a stream (see README, "Libraries").

import { LOG_LEVELS, type LogFields, type Logger, type LogLevel } from './logger-types.js';
import { renderJson, renderText } from './render-entry.js';

export type { Logger, LogFields, LogLevel } from './logger-types.js';
export { createNullLogger } from './null-logger.js';
export { MemoryLogger, type LogEntry } from './memory-logger.js';

export type LogFormat = 'text' | 'json';

export interface LoggerOptions {
  readonly format: LogFormat;
  /** Least severe level written; default `info`. */
  readonly level?: string;
  /** Default stdout, where container runtimes collect it. */
  readonly stream?: NodeJS.WritableStream;
  readonly now?: () => number;
}

const SEVERITY: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };
const NO_FIELDS: LogFields = Object.freeze({});

export function createLogger(options: LoggerOptions): Logger {
  const level = options.level ?? 'info';
  if (!isLevel(level)) {
    throw new RangeError(`Expected \`level\` to be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(level)}`);
  }
  if (options.format !== 'text' && options.format !== 'json') {
    throw new RangeError(`Expected \`format\` to be "text" or "json", got ${JSON.stringify(options.format)}`);
  }
  const render = options.format === 'json' ? renderJson : renderText;
  const now = options.now ?? Date.now;
  const stream = options.stream ?? process.stdout;
  const threshold = SEVERITY[level];
  // A log destination that breaks (EPIPE on a closed stdout) must cost the log, never the manager.
  stream.on('error', ignore);
  const writable = stream as NodeJS.WritableStream & { destroyed?: boolean; writableEnded?: boolean };
  const emit = (lvl: LogLevel, msg: string, fields: LogFields | undefined): void => {
    if (SEVERITY[lvl] > threshold || writable.destroyed === true || writable.writableEnded === true) return;
    stream.write(`${render(now(), lvl, msg, fields ?? NO_FIELDS)}\n`, ignore);
  };
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
  };
}

function ignore(): void {
  // Intentionally empty: see createLogger.
}

function isLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}
