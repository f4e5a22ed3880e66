// The KEY=VALUE lines of /etc/environment, as pam_env reads them: comments, optional "export", optional quotes, no expansion.

export interface EnvironmentFileLine {
  readonly line: number;
  readonly message: string;
}

export interface EnvironmentFile {
  readonly vars: Record<string, string>;
  /** Lines that were not KEY=VALUE, each skipped. */
  readonly skipped: EnvironmentFileLine[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function unquoted(value: string): string {
  const first = value[0];
  if (value.length >= 2 && (first === '"' || first === "'") && value.endsWith(first)) return value.slice(1, -1);
  return value;
}

export function parseEnvironmentFile(text: string): EnvironmentFile {
  const vars: Record<string, string> = {};
  const skipped: EnvironmentFileLine[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const body = line.startsWith('export ') ? line.slice('export '.length).trimStart() : line;
    const eq = body.indexOf('=');
    const name = eq === -1 ? body : body.slice(0, eq);
    if (eq === -1 || !NAME.test(name)) {
      skipped.push({ line: i + 1, message: `not a NAME=VALUE line (NAME made of letters, digits and _), skipped: ${JSON.stringify(line.slice(0, 80))}` });
      return;
    }
    // defineProperty, because assigning to a variable named __proto__ would drop it.
    Object.defineProperty(vars, name, { value: unquoted(body.slice(eq + 1)), enumerable: true, writable: true, configurable: true });
  });
  return { vars, skipped };
}
