// A service given as JSON (zinit's create) written as YAML and checked by the same parser `check` uses, before anything is written.
import { stringify } from 'yaml';
import { decodeServiceText } from './decode-text.js';
import { MAX_FILE_BYTES } from './limits.js';
import { parseServiceFile } from './parse-service.js';
import type { ConfigError, IdentityResolver } from './types.js';

export interface Rendered {
  readonly text: string;
  /** Each problem placed in `file`, where the text would be written; none when it may be written. */
  readonly errors: ConfigError[];
}

/** The YAML of `content` (block style, no folded lines), and what loading it from `file` would report. */
export function renderService(name: string, content: Readonly<Record<string, unknown>>, file: string, resolveIdentity?: IdentityResolver): Rendered {
  const text = stringify(content, { lineWidth: 0 });
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length > MAX_FILE_BYTES) {
    const message = `the content makes a file of ${bytes.length} bytes, over the ${MAX_FILE_BYTES} bytes limit for a service file; send only the service's keys`;
    return { text: '', errors: [{ file, service: name, line: 0, column: 0, message, code: 'too-large' }] };
  }
  // The bytes as the loader would read them back, so nothing passes here that a load refuses.
  const decoded = decodeServiceText(bytes);
  if (!decoded.ok) return { text, errors: [{ file, service: name, line: decoded.line, column: decoded.column, message: decoded.message, code: decoded.code }] };
  return { text, errors: parseServiceFile(name, decoded.text, file, resolveIdentity).errors };
}
