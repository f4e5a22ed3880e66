// `check`'s reading of a load: what the daemon only warns about (an unknown key) is an error there, and its file invalid.
import type { ParseResult } from './parse-service.js';
import type { ConfigError, LoadResult } from './types.js';

const COUNT_CODES: readonly (ConfigError['code'] | undefined)[] = ['too-many-errors', 'too-many-warnings'];

/** One file's errors and warnings in file order, positionless ones first and the counts of the unshown last. */
function merged(errors: readonly ConfigError[], warnings: readonly ConfigError[]): ConfigError[] {
  if (warnings.length === 0) return [...errors];
  const isCount = (e: ConfigError): boolean => COUNT_CODES.includes(e.code);
  // Unknown keys are found before values are read: at one position, the warning came first.
  const located = [...warnings, ...errors].filter((e) => !isCount(e)).sort((a, b) => a.line - b.line || a.column - b.column);
  return [...located, ...errors.filter(isCount), ...warnings.filter(isCount)];
}

export function strictParse(r: ParseResult): ParseResult {
  if (r.warnings.length === 0) return r;
  return { config: null, errors: merged(r.errors, r.warnings), warnings: [] };
}

export function strictLoad(r: LoadResult): LoadResult {
  if (r.warnings.length === 0) return r;
  const warned = new Set(r.warnings.map((w) => w.service));
  const services = new Map([...r.services].filter(([name]) => !warned.has(name)));
  // Files in the order the load reported them; each file's problems merged into one list.
  const byFile = new Map<string, { errors: ConfigError[]; warnings: ConfigError[] }>();
  const of = (file: string): { errors: ConfigError[]; warnings: ConfigError[] } => {
    let entry = byFile.get(file);
    if (entry === undefined) byFile.set(file, (entry = { errors: [], warnings: [] }));
    return entry;
  };
  for (const e of r.errors) of(e.file).errors.push(e);
  for (const w of r.warnings) of(w.file).warnings.push(w);
  const files = [...byFile.keys()].sort();
  return { services, errors: files.flatMap((f) => merged(byFile.get(f)?.errors ?? [], byFile.get(f)?.warnings ?? [])), warnings: [] };
}
