// Readers for single-valued keys: each returns the value, or undefined after reporting why it is wrong.
import { isScalar } from 'yaml';
import { plainValue, scalarText, type ErrorCollector, type YamlNode } from './collector.js';
import { describeValue } from './describe-value.js';
import { shellSplit } from './shell-split.js';
import { suggest } from './suggest.js';
import { parseDurationMs, parseSizeBytes } from './units.js';

export function readString(c: ErrorCollector, key: string, node: YamlNode, what = 'a string'): string | undefined {
  if (isScalar(node) && typeof node.value === 'string') {
    if (node.value.includes('\0')) {
      c.at(node, `${key} must not contain a NUL character`);
      return undefined;
    }
    return node.value;
  }
  c.at(node, `${key} must be ${what}, got ${describeValue(plainValue(node))}`);
  return undefined;
}

export function readBool(c: ErrorCollector, key: string, node: YamlNode): boolean | undefined {
  if (isScalar(node) && typeof node.value === 'boolean') return node.value;
  const found = plainValue(node);
  const yamlOneOne = typeof found === 'string' && /^(yes|no|on|off|y|n)$/i.test(found);
  const hint = yamlOneOne ? ' (YAML 1.2 reads yes/no/on/off as text)' : '';
  c.at(node, `${key} must be true or false, got ${describeValue(found)}${hint}`);
  return undefined;
}

export interface DurationRule {
  /** Zero is refused (a zero probe interval or timeout would spin). */
  readonly positive?: boolean;
}

export function readDuration(
  c: ErrorCollector,
  key: string,
  node: YamlNode,
  rule: DurationRule = {},
): number | undefined {
  const value = plainValue(node);
  try {
    const ms = parseDurationMs(value);
    if (rule.positive === true && ms === 0) {
      c.at(node, `${key} must be more than 0, got ${describeValue(value)}`);
      return undefined;
    }
    return ms;
  } catch (err) {
    c.at(node, `${key} ${(err as Error).message}`);
    return undefined;
  }
}

export function readSize(c: ErrorCollector, key: string, node: YamlNode): number | undefined {
  const value = plainValue(node);
  try {
    const bytes = parseSizeBytes(value);
    if (bytes === 0) {
      c.at(node, `${key} must be more than 0 bytes, got ${describeValue(value)}`);
      return undefined;
    }
    return bytes;
  } catch (err) {
    c.at(node, `${key} ${(err as Error).message}`);
    return undefined;
  }
}

/** A non-negative whole number. */
export function readCount(c: ErrorCollector, key: string, node: YamlNode): number | undefined {
  const value = plainValue(node);
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  c.at(node, `${key} must be a non-negative whole number, got ${describeValue(value)}`);
  return undefined;
}

/**
 * One of `choices`. `hints` maps words people write for the same idea (restart: no) to the choice
 * they mean, for the error message only: the file still has to say it our way.
 */
export function readChoice<T extends string>(
  c: ErrorCollector,
  key: string,
  node: YamlNode,
  choices: readonly T[],
  hints: Readonly<Record<string, T>> = {},
): T | undefined {
  const value = plainValue(node);
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
  const text = scalarText(node);
  const meant = text === null ? null : intendedChoice(text, choices, hints);
  const hint = meant === null ? '' : `; did you mean ${meant}?`;
  c.at(node, `${key} must be one of ${choices.join(', ')}, got ${describeValue(value)}${hint}`);
  return undefined;
}

function intendedChoice<T extends string>(
  text: string,
  choices: readonly T[],
  hints: Readonly<Record<string, T>>,
): string | null {
  const lower = text.toLowerCase();
  if (Object.hasOwn(hints, lower)) return hints[lower] ?? null;
  return suggest(text, choices);
}

export interface Command {
  readonly line: string;
  readonly argv: string[];
}

/** A command line split shell-like; null when it holds no words. */
export function readCommand(c: ErrorCollector, key: string, node: YamlNode): Command | null | undefined {
  // A bare `exec: true` or `test: 1` is a command, not a boolean or a number.
  const line = scalarText(node);
  if (line === null) {
    const found = describeValue(plainValue(node));
    c.at(node, `${key} must be a command line on one string, e.g. ${key}: "redis-server --port 7777", got ${found}`);
    return undefined;
  }
  if (line.includes('\0')) {
    c.at(node, `${key} must not contain a NUL character`);
    return undefined;
  }
  try {
    const argv = shellSplit(line);
    return argv.length === 0 ? null : { line, argv };
  } catch (err) {
    c.at(node, `${key} is not a valid command line: ${(err as Error).message}`);
    return undefined;
  }
}
