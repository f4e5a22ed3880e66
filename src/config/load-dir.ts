// Loads a config directory (every *.yaml / *.yml file in it) or one service of it, with per-file errors.
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseServiceFile, type ParseResult } from './parse-service.js';
import { serviceNameProblem } from './service-name.js';
import type { ConfigError, IdentityResolver, LoadResult, ServiceConfig } from './types.js';

const EXTENSIONS = ['.yaml', '.yml'] as const;

function stemOf(fileName: string): string | null {
  const ext = EXTENSIONS.find((e) => fileName.endsWith(e));
  return ext === undefined ? null : fileName.slice(0, -ext.length);
}

function fileError(file: string, service: string, message: string): ConfigError {
  return { file, service, line: 0, column: 0, message };
}

function errnoCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}

function dirProblem(dir: string, err: unknown): string {
  switch (errnoCode(err)) {
    case 'ENOENT':
      return `config directory ${dir} does not exist; create it or pass -c DIR`;
    case 'ENOTDIR':
      return `config directory ${dir} is not a directory; pass -c DIR with the directory that holds the service files`;
    case 'EACCES':
    case 'EPERM':
      return `config directory ${dir} cannot be read (permission denied); fix its permissions or pass -c DIR`;
    default:
      return `config directory ${dir} cannot be read: ${(err as Error).message}`;
  }
}

/** Reads and parses one file; a file that cannot be read becomes an error of its own. */
async function loadFile(file: string, name: string, resolveIdentity?: IdentityResolver): Promise<ParseResult> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    const reason = errnoCode(err) === 'EACCES' ? 'permission denied' : (err as Error).message;
    return { config: null, errors: [fileError(file, name, `cannot read the file (${reason})`)] };
  }
  return parseServiceFile(name, text, file, resolveIdentity);
}

/** Regular files (following symlinks, as config-map mounts use them) named *.yaml or *.yml, by name. */
async function serviceFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    throw new Error(dirProblem(dir, err), { cause: err });
  }
  const candidates = names.filter((n) => stemOf(n) !== null).sort();
  // A dangling link or one that cannot be examined stays in, so reading it reports the problem.
  const isFile = await Promise.all(
    candidates.map((n) => fs.stat(path.join(dir, n)).then((st) => st.isFile(), () => true)),
  );
  return candidates.filter((_n, i) => isFile[i] === true);
}

export async function loadConfigDir(dir: string, resolveIdentity?: IdentityResolver): Promise<LoadResult> {
  const files = await serviceFiles(dir);
  const byStem = new Map<string, string[]>();
  for (const f of files) {
    const stem = stemOf(f) ?? f;
    byStem.set(stem, [...(byStem.get(stem) ?? []), f]);
  }
  const results = await Promise.all(
    [...byStem].map(async ([name, group]): Promise<ParseResult> => {
      if (group.length === 1) return loadFile(path.join(dir, group[0] ?? ''), name, resolveIdentity);
      const message = `${group.join(' and ')} both define service "${name}"; keep only one of them`;
      return { config: null, errors: group.map((f) => fileError(path.join(dir, f), name, message)) };
    }),
  );
  const services = new Map<string, ServiceConfig>();
  const errors: ConfigError[] = [];
  for (const result of results) {
    errors.push(...result.errors);
    if (result.config !== null) services.set(result.config.name, result.config);
  }
  return { services, errors };
}

/** Loads the service `name` from `dir` (for `monitor`); every problem, a missing file included, is in `errors`. */
export async function loadServiceFile(
  dir: string,
  name: string,
  resolveIdentity?: IdentityResolver,
): Promise<ParseResult> {
  const nameProblem = serviceNameProblem(name);
  if (nameProblem !== null) return { config: null, errors: [fileError(dir, name, nameProblem)] };
  const found: string[] = [];
  for (const ext of EXTENSIONS) {
    const file = path.join(dir, name + ext);
    try {
      await fs.access(file);
      found.push(file);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') found.push(file);
    }
  }
  const first = found[0];
  if (first === undefined) {
    const dirMissing = await fs.stat(dir).then(() => null, (err: unknown) => dirProblem(dir, err));
    const looked = `looked for ${name}.yaml and ${name}.yml`;
    const message = dirMissing ?? `no service file for "${name}" in ${dir} (${looked}); create one first`;
    return { config: null, errors: [fileError(path.join(dir, `${name}.yaml`), name, message)] };
  }
  if (found.length > 1) {
    const names = found.map((f) => path.basename(f)).join(' and ');
    const message = `${names} both define service "${name}"; keep only one of them`;
    return { config: null, errors: found.map((f) => fileError(f, name, message)) };
  }
  return loadFile(first, name, resolveIdentity);
}
