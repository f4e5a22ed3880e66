// The two shapes of a manager log entry: one text line for people, one JSON object for collectors.

import { isoTime } from './iso-time.js';
import type { LogFields, LogLevel } from './logger-types.js';

const BARE_VALUE = /^[^\s"=\\]+$/;
const LEVEL_WIDTH = 5;

/** `2026-11-21T23:18:12.345Z info  service started name=web pid=42` */
export function renderText(ts: number, level: LogLevel, msg: string, fields: LogFields): string {
  let out = `${isoTime(ts)} ${level.padEnd(LEVEL_WIDTH)} ${oneLine(msg)}`;
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    out += ` ${key}=${textValue(value)}`;
  }
  return out;
}

/** `{"timestamp":"…","level":"info","message":"…",…fields}`; a field named like a core member is prefixed. */
export function renderJson(ts: number, level: LogLevel, msg: string, fields: LogFields): string {
  const entry: Record<string, unknown> = { timestamp: isoTime(ts), level, message: msg };
  for (const [key, value] of Object.entries(fields)) {
    entry[key in entry ? `field_${key}` : key] = value;
  }
  return safeStringify(entry);
}

// An entry is one line whatever it carries, so a collector never splits it.
function oneLine(text: string): string {
  return text.replace(/\r/g, '\\r').replace(/\n/g, '\\n');
}

function textValue(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (value instanceof Error) text = value.message;
  else if (value instanceof Date) text = value.toISOString();
  else if (value === null || typeof value !== 'object') text = String(value);
  else text = safeStringify(value);
  if (BARE_VALUE.test(text) || (typeof value === 'object' && value !== null && !/\s/.test(text))) {
    return text;
  }
  return JSON.stringify(text);
}

// Log calls must never throw: bigints, errors and cycles all get a printable form.
function safeStringify(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Error) return v.message;
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return '[Circular]';
      seen.add(v);
    }
    return v;
  });
}
