// Refuses text too deep or too aliased for the YAML parser before it parses, in time linear in the text and without recursion.
import { Lexer } from 'yaml';
import type { ConfigErrorCode } from './types.js';

export interface PrescanLimits {
  readonly maxDepth: number;
  readonly maxAliases: number;
  readonly maxIndent: number;
}

export interface PrescanProblem {
  /** Offset in the text where the limit was passed. */
  readonly offset: number;
  readonly code: ConfigErrorCode;
  readonly message: string;
}

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const STAR = 0x2a;
const OPENERS = new Set([0x5b, 0x7b]); // [ {
const INDICATORS = new Set([0x2d, 0x3f, 0x3a]); // - ? :

export function tooDeepMessage(maxDepth: number): string {
  return `lists and mappings are nested more than ${maxDepth} levels deep here; a service file needs only a few (e.g. env: {A: "1"}): flatten it`;
}

export function tooManyAliasesMessage(maxAliases: number): string {
  return `more than ${maxAliases} aliases (*name) in one file; write the values out, or use fewer aliases`;
}

function isBlank(code: number | undefined): boolean {
  return code === undefined || code === SPACE || code === TAB || code === LF || code === 0x0d;
}

interface TextCounts {
  readonly openers: number;
  readonly stars: number;
  readonly problem: PrescanProblem | null;
}

/**
 * A block collection nests only inside more indentation (or one more "- ", "? ", ": " on the same
 * line), so a line's indentation counted with those indicators bounds how deep block nesting gets
 * there. Every line is counted, block scalar contents too, so the bound can only be high, never low.
 * Also counts "[", "{" and "*" anywhere: flow nesting and aliases can never exceed those counts.
 */
function scanText(text: string, maxIndent: number): TextCounts {
  let openers = 0;
  let stars = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const lineStart = i;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === SPACE || c === TAB) i += 1;
      else if (INDICATORS.has(c) && isBlank(i + 1 < n ? text.charCodeAt(i + 1) : undefined)) i += 1;
      else break;
    }
    const indent = i - lineStart;
    if (indent > maxIndent && i < n && text.charCodeAt(i) !== LF) {
      const message = `line is indented or nested ${indent} columns deep (limit ${maxIndent}); `
        + 'a service file needs only a few levels (e.g. env: on one line, its variables indented below): flatten it';
      return { openers, stars, problem: { offset: lineStart, code: 'too-deep', message } };
    }
    while (i < n) {
      const c = text.charCodeAt(i);
      i += 1;
      if (c === LF) break;
      if (OPENERS.has(c)) openers += 1;
      else if (c === STAR) stars += 1;
    }
  }
  return { openers, stars, problem: null };
}

/** Flow nesting and aliases as the YAML lexer sees them (quotes, comments and scalars honoured), stopping at the first past a limit. */
function lexedProblem(text: string, limits: PrescanLimits): PrescanProblem | null {
  let depth = 0;
  let aliases = 0;
  let offset = 0;
  let scalarNext = false;
  for (const token of new Lexer().lex(text)) {
    // Markers the lexer adds for the parser (document start, flow error end, scalar follows) are not in the text.
    if (token === '\x02' || token === '\x18') continue;
    if (token === '\x1f') {
      scalarNext = true;
      continue;
    }
    if (scalarNext) scalarNext = false;
    else if (token === '[' || token === '{') {
      depth += 1;
      if (depth > limits.maxDepth) return { offset, code: 'too-deep', message: tooDeepMessage(limits.maxDepth) };
    } else if ((token === ']' || token === '}') && depth > 0) {
      depth -= 1;
    } else if (token.startsWith('*')) {
      aliases += 1;
      if (aliases > limits.maxAliases) return { offset, code: 'too-many-aliases', message: tooManyAliasesMessage(limits.maxAliases) };
    }
    offset += token.length;
  }
  return null;
}

/** Why `text` must not be handed to the parser, or null. The exact checks run again on the parsed tree. */
export function prescanProblem(text: string, limits: PrescanLimits): PrescanProblem | null {
  const counts = scanText(text, limits.maxIndent);
  if (counts.problem !== null) return counts.problem;
  // Few brackets and stars in the whole file cannot pass a limit, so the lexer only runs on files with many.
  if (counts.openers <= limits.maxDepth && counts.stars <= limits.maxAliases) return null;
  return lexedProblem(text, limits);
}
