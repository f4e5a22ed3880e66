// The manager's own logger: winston underneath, the small Logger port on top.

import winston from 'winston';
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

// winston's own meta merging rewrites `message` and `stack` members, so fields travel apart.
const FIELDS = Symbol('fields');
const MESSAGE = Symbol.for('message');
const SEVERITY: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

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
  const format = winston.format((info) => {
    const fields = (info[FIELDS] ?? {}) as LogFields;
    info[MESSAGE] = render(now(), info.level as LogLevel, String(info.message), fields);
    return info;
  })();
  const stream = options.stream ?? process.stdout;
  // A log destination that breaks (EPIPE on a closed stdout) must cost the log, never the manager.
  stream.on('error', ignore);
  const sink = winston.createLogger({
    levels: SEVERITY,
    level,
    format,
    exitOnError: false,
    transports: [new winston.transports.Stream({ stream, eol: '\n' })],
  });
  sink.on('error', ignore);
  const emit = (lvl: LogLevel, msg: string, fields: LogFields | undefined): void => {
    sink.log({ level: lvl, message: msg, [FIELDS]: fields });
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
