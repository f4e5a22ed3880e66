// Gathers every problem and warning of one service file with its line and column, and reads YAML nodes for the checks.
import { isAlias, isMap, isScalar, isSeq, type Alias, type LineCounter } from 'yaml';
import { MAX_ERRORS_PER_FILE } from './limits.js';
import type { ConfigError, ConfigErrorCode } from './types.js';

/** A YAML node as the parser hands it out (pair keys and values are typed unknown). */
export type YamlNode = unknown;

// A message quotes what it found; a megabyte-long key must not become a megabyte-long log line.
const MAX_MESSAGE_CHARS = 400;

function shortened(message: string): string {
  if (message.length <= MAX_MESSAGE_CHARS) return message;
  return `${message.slice(0, MAX_MESSAGE_CHARS)}… (message cut, ${message.length} characters)`;
}

/** Problems of one kind, the first MAX_ERRORS_PER_FILE kept, the rest counted. */
class Kept {
  readonly list: ConfigError[] = [];
  dropped = 0;

  get full(): boolean {
    return this.list.length >= MAX_ERRORS_PER_FILE;
  }

  /** `make` runs only for a problem that is kept: past the limit a problem costs a count. */
  add(make: () => ConfigError): void {
    if (this.full) this.dropped += 1;
    else this.list.push(make());
  }

  /** The kept problems, then one line counting the dropped ones; `sorted` puts them in file order first. */
  all(sorted: boolean, countLine: (dropped: number) => ConfigError): ConfigError[] {
    const kept = sorted ? [...this.list].sort((a, b) => a.line - b.line || a.column - b.column) : this.list;
    return this.dropped === 0 ? kept : [...kept, countLine(this.dropped)];
  }
}

export class ErrorCollector {
  private readonly problems = new Kept();
  private readonly notes = new Kept();

  constructor(
    readonly file: string,
    readonly service: string,
    private readonly lines: LineCounter | null = null,
    private readonly aliasTargets: ReadonlyMap<Alias, YamlNode> = new Map(),
  ) {}

  /** What was found, with one closing line counting the problems past MAX_ERRORS_PER_FILE. */
  get errors(): ConfigError[] {
    return this.problems.all(false, (n) => this.countLine(n, 'problem', 'too-many-errors'));
  }

  /** The warnings in file order, with one closing line counting those past MAX_ERRORS_PER_FILE. */
  get warnings(): ConfigError[] {
    return this.notes.all(true, (n) => this.countLine(n, 'warning', 'too-many-warnings'));
  }

  /** True once no further problem would be kept: callers can skip the costly part of a message. */
  get full(): boolean {
    return this.problems.full;
  }

  /** As `full`, for warnings. */
  get warningsFull(): boolean {
    return this.notes.full;
  }

  /** Reports `message` at the start of `node`, or at line 0 (unknown) when it has no position. */
  at(node: YamlNode, message: string, code?: ConfigErrorCode): void {
    this.problems.add(() => this.located(node, message, code));
  }

  /** Notes a warning at the start of `node`: the file still loads. */
  warnAt(node: YamlNode, message: string, code: ConfigErrorCode): void {
    this.notes.add(() => this.located(node, message, code));
  }

  atOffset(offset: number, message: string, code?: ConfigErrorCode): void {
    const pos = this.lines?.linePos(offset);
    this.atLine(pos?.line ?? 0, pos?.col ?? 0, message, code);
  }

  atLine(line: number, column: number, message: string, code?: ConfigErrorCode): void {
    this.problems.add(() => this.problem(line, column, message, code));
  }

  /** The errors in file order; those without a position (line 0) come first, the count of the unshown last. */
  sorted(): ConfigError[] {
    return this.problems.all(true, (n) => this.countLine(n, 'problem', 'too-many-errors'));
  }

  private located(node: YamlNode, message: string, code: ConfigErrorCode | undefined): ConfigError {
    const offset = startOffset(node);
    const pos = offset === null ? undefined : this.lines?.linePos(offset);
    return this.problem(pos?.line ?? 0, pos?.col ?? 0, message, code);
  }

  private problem(line: number, column: number, message: string, code: ConfigErrorCode | undefined): ConfigError {
    const e: ConfigError = { file: this.file, service: this.service, line, column, message: shortened(message) };
    return code === undefined ? e : { ...e, code };
  }

  private countLine(dropped: number, what: string, code: ConfigErrorCode): ConfigError {
    const message = `${dropped} more ${what}(s) in this file not shown; fix the ones above, then run zinit-ts check again`;
    return { file: this.file, service: this.service, line: 0, column: 0, message, code };
  }

  /** Follows an alias to its anchored node; an alias with no anchor is reported and yields undefined. */
  deref(node: YamlNode): YamlNode {
    if (!isAlias(node)) return node;
    const target = this.aliasTargets.get(node);
    if (target === undefined) this.at(node, `alias *${node.source} refers to no anchor &${node.source} above it`);
    return target;
  }
}

export function startOffset(node: YamlNode): number | null {
  if (isScalar(node) || isMap(node) || isSeq(node) || isAlias(node)) return node.range?.[0] ?? null;
  return null;
}

/** A scalar's value, or a stand-in for a collection, good enough to describe what was found. */
export function plainValue(node: YamlNode): unknown {
  if (isScalar(node)) return node.value;
  if (isSeq(node)) return [];
  if (isMap(node)) return {};
  return node ?? null;
}

/** True when the key was written without a value (`test:`), which counts as not set. */
export function isEmptyValue(node: YamlNode): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null);
}

/**
 * The text of a plain scalar as written, so `1.10` stays "1.10" and `0x10` stays "0x10" where a
 * string is wanted; quoted strings are taken as parsed.
 */
export function scalarText(node: YamlNode): string | null {
  if (!isScalar(node)) return null;
  if (typeof node.value === 'string') return node.value;
  if (typeof node.value === 'number' || typeof node.value === 'boolean') {
    return typeof node.source === 'string' && node.source !== '' ? node.source : String(node.value);
  }
  return null;
}
