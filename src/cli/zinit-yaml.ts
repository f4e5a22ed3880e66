// YAML exactly as zinit's CLI prints it (serde_yaml 0.8 over yaml-rust's emitter), for the flat documents of `list`, `status` and `stats`.

/** A 32-bit float: zinit's `cpu_usage` is an f32 and prints as the shortest decimal that reads back as that f32. */
export interface F32 {
  readonly f32: number;
}

/** Strings, integers, f32s, lists and maps (a Map keeps the order its keys were set in, as zinit's structs do). */
export type YamlNode = string | number | F32 | readonly YamlNode[] | ReadonlyMap<string, YamlNode>;

/** The document: a `---` line, the node, a newline. */
export function zinitYaml(doc: YamlNode): string {
  return `---\n${node(doc, -1)}\n`;
}

function isList(v: YamlNode): v is readonly YamlNode[] {
  return Array.isArray(v);
}

function isMap(v: YamlNode): v is ReadonlyMap<string, YamlNode> {
  return v instanceof Map;
}

/** Two spaces a level; the top mapping (level 0) and the document (level -1) are not indented. */
function indent(level: number): string {
  return level <= 0 ? '' : '  '.repeat(level);
}

function node(v: YamlNode, level: number): string {
  if (isList(v)) {
    if (v.length === 0) return '[]';
    return v.map((item) => `-${value(item, true, level + 1)}`).join(`\n${indent(level + 1)}`);
  }
  if (isMap(v)) {
    if (v.size === 0) return '{}';
    return [...v].map(([k, item]) => `${scalar(k)}:${value(item, false, level + 1)}`).join(`\n${indent(level + 1)}`);
  }
  return scalar(v);
}

/**
 * What follows a `key:` or a `-`: a scalar after a space; a list or map after a space when it is
 * empty or follows a `-` (the compact form), else on the next line, one level in.
 */
function value(v: YamlNode, afterDash: boolean, level: number): string {
  const block = (isList(v) && v.length > 0) || (isMap(v) && v.size > 0);
  if (block && !afterDash) return `\n${indent(level + 1)}${node(v, level)}`;
  return ` ${node(v, level)}`;
}

function scalar(v: string | number | F32): string {
  if (typeof v === 'string') return needsQuotes(v) ? doubleQuoted(v) : v;
  if (typeof v === 'number') return String(v);
  return formatF32(v.f32);
}

const QUOTED_START = new Set('&*?|-<>=!%@');
// The characters yaml-rust quotes a string for; some control characters (\x07, \x08, \x0b, \x0c, \x1b, \x7f) are not among them.
// eslint-disable-next-line no-control-regex
const QUOTED_ANYWHERE = /[:{}[\],#`"'\\\x00-\x06\t\n\r\x0e-\x1a\x1c-\x1f]/;
const RESERVED_WORDS = new Set(['yes', 'Yes', 'YES', 'no', 'No', 'NO', 'True', 'TRUE', 'true', 'False', 'FALSE', 'false', 'on', 'On', 'ON', 'off', 'Off', 'OFF', 'null', 'Null', 'NULL', '~']);
/** What Rust's `str::parse::<i64>` or `::<f64>` accepts: such a string would read back as a number. */
const NUMBER_LIKE = /^[+-]?(?:inf|infinity|nan|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)$/i;

function needsQuotes(s: string): boolean {
  return (
    s === '' ||
    s.startsWith(' ') ||
    s.endsWith(' ') ||
    QUOTED_START.has(s[0] as string) ||
    QUOTED_ANYWHERE.test(s) ||
    RESERVED_WORDS.has(s) ||
    s.startsWith('.') ||
    s.startsWith('0x') ||
    NUMBER_LIKE.test(s)
  );
}

const NAMED_ESCAPES: Readonly<Record<string, string>> = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r' };

function doubleQuoted(s: string): string {
  // eslint-disable-next-line no-control-regex
  const escaped = s.replace(/["\\\x00-\x1f\x7f]/g, (c) => NAMED_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `"${escaped}"`;
}

/** An f32 as Rust's ryu writes it: shortest round-trip digits, fixed notation for moderate exponents, `1.5e-7` beyond. */
export function formatF32(v: number): string {
  const f = Math.fround(v);
  if (Number.isNaN(f)) return '.nan';
  if (f === Infinity) return '.inf';
  if (f === -Infinity) return '-.inf';
  const sign = f < 0 || Object.is(f, -0) ? '-' : '';
  if (f === 0) return `${sign}0.0`;
  const { digits, exponent } = shortestDigits(Math.abs(f));
  const length = digits.length;
  // The value is digits × 10^exponent, and 10^(point-1) <= value < 10^point.
  const point = length + exponent;
  let text: string;
  if (exponent >= 0 && point <= 13) text = `${digits}${'0'.repeat(exponent)}.0`;
  else if (point > 0 && point <= 13) text = `${digits.slice(0, point)}.${digits.slice(point)}`;
  else if (point > -6 && point <= 0) text = `0.${'0'.repeat(-point)}${digits}`;
  else if (length === 1) text = `${digits}e${point - 1}`;
  else text = `${digits[0] as string}.${digits.slice(1)}e${point - 1}`;
  return sign + text;
}

/** The fewest significant digits that read back as the same f32 (nine always do). */
function shortestDigits(f: number): { digits: string; exponent: number } {
  for (let precision = 1; ; precision++) {
    const text = f.toExponential(precision - 1);
    if (precision < 9 && Math.fround(Number(text)) !== f) continue;
    const [mantissa = '', exp = '0'] = text.split('e');
    const digits = mantissa.replace('.', '').replace(/0+$/, '') || '0';
    return { digits, exponent: Number(exp) - (digits.length - 1) };
  }
}
