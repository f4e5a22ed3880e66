// Renders a captured line: zinit-ts's form for people (ISO time, service, stream) or zinit's (`[+] svc: text`).

import { isoTime } from './iso-time.js';
import type { LogLine } from './log-line.js';

export function formatLogLine(line: LogLine): string {
  return `${isoTime(line.ts)} [${line.service}] ${line.stream}: ${line.text}`;
}

/** zinit's form: `[+]` for stdout, `[-]` for stderr and for the line that marks a spawn. */
export function formatZinitLine(line: LogLine): string {
  return `${line.stream === 'stdout' ? '[+]' : '[-]'} ${line.service}: ${line.text}`;
}
