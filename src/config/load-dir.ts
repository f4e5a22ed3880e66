// Loads a config directory (every *.yaml / *.yml entry in it) or one service of it, with per-file errors.
import fs from 'node:fs/promises';
import path from 'node:path';
import { errnoOf } from '../errors/errno.js';
import { readRegularFile } from '../os/read-regular-file.js';
import { decodeServiceText } from './decode-text.js';
import { LOAD_CONCURRENCY, MAX_FILE_BYTES } from './limits.js';
import { mapBounded, turnTaker, type Turn } from './pacing.js';
import { refusalMessage } from './refusal-message.js';
import { parseServiceFile, type ParseResult } from './parse-service.js';
import { SERVICE_FILE_EXTENSIONS } from './file-extensions.js';
import { serviceNameProblem } from './service-name.js';
import type { ConfigError, ConfigErrorCode, ConfigWarning, IdentityResolver, LoadResult, ServiceConfig } from './types.js';

function stemOf(fileName: string): string | null {
  const ext = SERVICE_FILE_EXTENSIONS.find((e) => fileName.endsWith(e));
  return ext === undefined ? null : fileName.slice(0, -ext.length);
}

function fileError(file: string, service: string, message: string, code: ConfigErrorCode): ConfigError {
  return { file, service, line: 0, column: 0, message, code };
}

function dirProblem(dir: string, err: unknown): string {
  switch (errnoOf(err)) {
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

/**
 * Reads and parses one file; a file that cannot be read, or is refused for its kind, size or
 * encoding, becomes an error of its own. A bad name is refused before anything is opened.
 */
async function loadFile(file: string, name: string, resolveIdentity: IdentityResolver | undefined, turn: Turn): Promise<ParseResult> {
  const nameProblem = serviceNameProblem(name);
  if (nameProblem !== null) return { config: null, errors: [fileError(file, name, `${nameProblem}; rename the file`, 'bad-name')], warnings: [] };
  const read = await readRegularFile(file, MAX_FILE_BYTES);
  if (!read.ok) {
    const { message, code } = refusalMessage(read.refusal);
    return { config: null, errors: [fileError(file, name, message, code)], warnings: [] };
  }
  // Parsing is synchronous: files read at once are still parsed one per turn.
  return turn(() => {
    const decoded = decodeServiceText(read.bytes);
    if (decoded.ok) return parseServiceFile(name, decoded.text, file, resolveIdentity);
    const { line, column, message, code } = decoded;
    return { config: null, errors: [{ file, service: name, line, column, message, code }], warnings: [] };
  });
}

/** Entries named *.yaml or *.yml, by name; whether each is a file that can be read is found out by reading it. */
async function serviceFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    throw new Error(dirProblem(dir, err), { cause: err });
  }
  return names.filter((n) => stemOf(n) !== null).sort();
}

export async function loadConfigDir(dir: string, resolveIdentity?: IdentityResolver): Promise<LoadResult> {
  const files = await serviceFiles(dir);
  const byStem = new Map<string, string[]>();
  for (const f of files) {
    const stem = stemOf(f) ?? f;
    byStem.set(stem, [...(byStem.get(stem) ?? []), f]);
  }
  const turn = turnTaker();
  const results = await mapBounded([...byStem], LOAD_CONCURRENCY, async ([name, group]): Promise<ParseResult> => {
    if (group.length === 1) return loadFile(path.join(dir, group[0] ?? ''), name, resolveIdentity, turn);
    const message = `${group.join(' and ')} both define service "${name}"; keep only one of them`;
    return { config: null, errors: group.map((f) => fileError(path.join(dir, f), name, message, 'name-clash')), warnings: [] };
  });
  const services = new Map<string, ServiceConfig>();
  const errors: ConfigError[] = [];
  const warnings: ConfigWarning[] = [];
  for (const result of results) {
    errors.push(...result.errors);
    warnings.push(...result.warnings);
    if (result.config !== null) services.set(result.config.name, result.config);
  }
  return { services, errors, warnings };
}

/** Loads the service `name` from `dir` (for `monitor`); every problem, a missing file included, is in `errors`. */
export async function loadServiceFile(
  dir: string,
  name: string,
  resolveIdentity?: IdentityResolver,
): Promise<ParseResult> {
  const nameProblem = serviceNameProblem(name);
  if (nameProblem !== null) return { config: null, errors: [fileError(dir, name, nameProblem, 'bad-name')], warnings: [] };
  const found: string[] = [];
  for (const ext of SERVICE_FILE_EXTENSIONS) {
    const file = path.join(dir, name + ext);
    try {
      await fs.access(file);
      found.push(file);
    } catch (err) {
      if (errnoOf(err) !== 'ENOENT') found.push(file);
    }
  }
  const first = found[0];
  if (first === undefined) {
    const dirMissing = await fs.stat(dir).then(() => null, (err: unknown) => dirProblem(dir, err));
    const looked = `looked for ${name}.yaml and ${name}.yml`;
    const message = dirMissing ?? `no service file for "${name}" in ${dir} (${looked}); create one first`;
    return { config: null, errors: [fileError(path.join(dir, `${name}.yaml`), name, message, 'unreadable')], warnings: [] };
  }
  if (found.length > 1) {
    const names = found.map((f) => path.basename(f)).join(' and ');
    const message = `${names} both define service "${name}"; keep only one of them`;
    return { config: null, errors: found.map((f) => fileError(f, name, message, 'name-clash')), warnings: [] };
  }
  return loadFile(first, name, resolveIdentity, turnTaker());
}
