// Gathers every problem of one service file with its line and column, and reads YAML nodes for the checks.
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter } from 'yaml';
import type { ConfigError } from './types.js';

/** A YAML node as the parser hands it out (pair keys and values are typed unknown). */
export type YamlNode = unknown;

export class ErrorCollector {
  readonly errors: ConfigError[] = [];

  constructor(
    readonly file: string,
    readonly service: string,
    private readonly lines: LineCounter | null = null,
    private readonly doc: Document | null = null,
  ) {}

  /** Reports `message` at the start of `node`, or at line 0 (unknown) when it has no position. */
  at(node: YamlNode, message: string): void {
    const offset = startOffset(node);
    if (offset === null) this.atLine(0, 0, message);
    else this.atOffset(offset, message);
  }

  atOffset(offset: number, message: string): void {
    const pos = this.lines?.linePos(offset);
    this.atLine(pos?.line ?? 0, pos?.col ?? 0, message);
  }

  atLine(line: number, column: number, message: string): void {
    this.errors.push({ file: this.file, service: this.service, line, column, message });
  }

  /** The errors in file order; those without a position (line 0) come first. */
  sorted(): ConfigError[] {
    return [...this.errors].sort((a, b) => a.line - b.line || a.column - b.column);
  }

  /** Follows an alias to its anchored node; an alias with no anchor is reported and yields undefined. */
  deref(node: YamlNode): YamlNode {
    if (!isAlias(node)) return node;
    const target = this.doc === null ? undefined : node.resolve(this.doc);
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
