// The NAME=VALUE lines of /etc/environment: every name zinit takes, plus pam_env's optional "export" and quotes; no expansion.

export interface EnvironmentFileLine {
  readonly line: number;
  readonly message: string;
}

export interface EnvironmentFile {
  readonly vars: Record<string, string>;
  /** Lines that were not NAME=VALUE, each skipped; at most MAX_SKIPPED_KEPT, then one counting the rest. */
  readonly skipped: EnvironmentFileLine[];
}

/** Skipped lines reported one by one; a file of garbage must not become thousands of log lines. */
export const MAX_SKIPPED_KEPT = 20;

/**
 * zinit takes whatever stands before the first "=" as the name; a name with blanks (`KEY = v`)
 * can only be a mistake, and a NUL would make every spawn fail.
 */
const NAME = /^[^\s=\0]+$/;

function unquoted(value: string): string {
  const first = value[0];
  if (value.length >= 2 && (first === '"' || first === "'") && value.endsWith(first)) return value.slice(1, -1);
  return value;
}

function problemOf(name: string, value: string, eq: number, line: string): string | null {
  const shown = JSON.stringify(line.slice(0, 80));
  if (eq === -1) return `not a NAME=VALUE line, skipped: ${shown}`;
  if (!NAME.test(name)) return `the name before "=" must be one word without blanks, skipped: ${shown}`;
  if (value.includes('\0')) return `the value holds a NUL character, which no environment can carry, skipped: ${shown}`;
  return null;
}

export function parseEnvironmentFile(text: string): EnvironmentFile {
  const vars: Record<string, string> = {};
  const skipped: EnvironmentFileLine[] = [];
  let unshown = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const body = line.startsWith('export ') ? line.slice('export '.length).trimStart() : line;
    const eq = body.indexOf('=');
    const name = eq === -1 ? body : body.slice(0, eq);
    const value = unquoted(body.slice(eq + 1));
    const problem = problemOf(name, value, eq, line);
    if (problem !== null) {
      if (skipped.length < MAX_SKIPPED_KEPT) skipped.push({ line: i + 1, message: problem });
      else unshown += 1;
      return;
    }
    // defineProperty, because assigning to a variable named __proto__ would drop it.
    Object.defineProperty(vars, name, { value, enumerable: true, writable: true, configurable: true });
  });
  if (unshown > 0) skipped.push({ line: 0, message: `${unshown} more line(s) skipped` });
  return { vars, skipped };
}
