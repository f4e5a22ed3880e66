// A logger that records entries in memory, so tests can assert on what was logged.

import type { LogFields, Logger, LogLevel } from './logger-types.js';

export interface LogEntry {
  readonly level: LogLevel;
  readonly msg: string;
  readonly fields: LogFields;
}

export class MemoryLogger implements Logger {
  readonly entries: LogEntry[] = [];

  debug(msg: string, fields: LogFields = {}): void {
    this.entries.push({ level: 'debug', msg, fields });
  }

  info(msg: string, fields: LogFields = {}): void {
    this.entries.push({ level: 'info', msg, fields });
  }

  warn(msg: string, fields: LogFields = {}): void {
    this.entries.push({ level: 'warn', msg, fields });
  }

  error(msg: string, fields: LogFields = {}): void {
    this.entries.push({ level: 'error', msg, fields });
  }

  /** Entries whose message contains `text`, optionally of one level. */
  find(text: string, level?: LogLevel): LogEntry[] {
    return this.entries.filter((e) => e.msg.includes(text) && (level === undefined || e.level === level));
  }

  clear(): void {
    this.entries.length = 0;
  }
}
