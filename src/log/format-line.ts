// Renders a captured line for people: ISO time, service and stream, then the text as written.

import { isoTime } from './iso-time.js';
import type { LogLine } from './log-line.js';

export function formatLogLine(line: LogLine): string {
  return `${isoTime(line.ts)} [${line.service}] ${line.stream}: ${line.text}`;
}
