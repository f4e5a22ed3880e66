// Reads /etc/environment once at start (as zinit does), bounded like a service file: a missing file is no variables, a bad one is reported.
import { parseEnvironmentFile } from '../config/environment-file.js';
import { readRegularFile } from './read-regular-file.js';

export const ENVIRONMENT_FILE = '/etc/environment';
/** Names the file to read instead of /etc/environment; empty reads none. `init --environment-file` wins over it. */
export const ENVIRONMENT_FILE_VARIABLE = 'ZINIT_TS_ENVIRONMENT_FILE';
const MAX_BYTES = 64 * 1024;

export interface SystemEnvironment {
  readonly file: string | null;
  readonly vars: Record<string, string>;
  /** One line per problem, `file:line: message` or `file: message`. */
  readonly problems: string[];
}

/** The file to read: the `--environment-file` flag, else the variable, else /etc/environment; null (an empty name) reads none. */
export function environmentFileFrom(flag: string | undefined, env: NodeJS.ProcessEnv): string | null {
  const named = flag ?? env[ENVIRONMENT_FILE_VARIABLE];
  if (named === undefined) return ENVIRONMENT_FILE;
  return named === '' ? null : named;
}

export async function readSystemEnvironment(file: string | null): Promise<SystemEnvironment> {
  if (file === null) return { file, vars: {}, problems: [] };
  const read = await readRegularFile(file, MAX_BYTES);
  if (!read.ok) {
    const r = read.refusal;
    // Slim images have no /etc/environment: that is no variables, not a problem.
    if (r.kind === 'unreadable' && r.errno === 'ENOENT') return { file, vars: {}, problems: [] };
    const why = r.kind === 'not-regular' ? `is ${r.what}, not a regular file`
      : r.kind === 'too-large' ? `is larger than ${MAX_BYTES / 1024} KiB`
      : r.kind === 'dangling-link' ? `is a symbolic link to ${r.linkTarget}, which does not exist`
      : r.kind === 'link-loop' ? 'is a symbolic link loop'
      : `cannot be read (${r.message})`;
    return { file, vars: {}, problems: [`${file}: ${why}; no variables taken from it`] };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(read.bytes);
  } catch {
    return { file, vars: {}, problems: [`${file}: not valid UTF-8 text; no variables taken from it`] };
  }
  const parsed = parseEnvironmentFile(text);
  return { file, vars: parsed.vars, problems: parsed.skipped.map((s) => (s.line > 0 ? `${file}:${s.line}: ${s.message}` : `${file}: ${s.message}`)) };
}
