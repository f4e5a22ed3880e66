// One line per problem, in the file:line:column form editors and terminals link to.
import type { ConfigError } from './types.js';

export function formatConfigError(e: ConfigError): string {
  if (e.line <= 0) return `${e.file}: ${e.message}`;
  if (e.column <= 0) return `${e.file}:${e.line}: ${e.message}`;
  return `${e.file}:${e.line}:${e.column}: ${e.message}`;
}
