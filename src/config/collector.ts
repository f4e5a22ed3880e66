// Gathers every problem of one service file with its line and column, and reads YAML nodes for the checks.
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

export class ErrorCollector {
  private readonly kept: ConfigError[] = [];
  private dropped = 0;

  constructor(
    readonly file: string,
    readonly service: string,
    private readonly lines: LineCounter | null = null,
    private readonly aliasTargets: ReadonlyMap<Alias, YamlNode> = new Map(),
  ) {}

  /** What was found, with one closing line counting the problems past MAX_ERRORS_PER_FILE. */
  get errors(): ConfigError[] {
    if (this.dropped === 0) return this.kept;
    const message = `${this.dropped} more problem(s) in this file not shown; fix the ones above, then run zinit-ts check again`;
    return [...this.kept, { file: this.file, service: this.service, line: 0, column: 0, message, code: 'too-many-errors' }];
  }

  /** True once no further problem would be kept: callers can skip the costly part of a message. */
  get full(): boolean {
    return this.kept.length >= MAX_ERRORS_PER_FILE;
  }

  /** Reports `message` at the start of `node`, or at line 0 (unknown) when it has no position. */
  at(node: YamlNode, message: string, code?: ConfigErrorCode): void {
    const offset = startOffset(node);
    if (offset === null) this.atLine(0, 0, message, code);
    else this.atOffset(offset, message, code);
  }

  atOffset(offset: number, message: string, code?: ConfigErrorCode): void {
    const pos = this.lines?.linePos(offset);
    this.atLine(pos?.line ?? 0, pos?.col ?? 0, message, code);
  }

  atLine(line: number, column: number, message: string, code?: ConfigErrorCode): void {
    if (this.full) {
      this.dropped += 1;
      return;
    }
    const e: ConfigError = { file: this.file, service: this.service, line, column, message: shortened(message) };
    this.kept.push(code === undefined ? e : { ...e, code });
  }

  /** The errors in file order; those without a position (line 0) come first, the count of the unshown last. */
  sorted(): ConfigError[] {
    const all = this.errors;
    const tail = this.dropped === 0 ? [] : all.slice(-1);
    return [...this.kept].sort((a, b) => a.line - b.line || a.column - b.column).concat(tail);
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
