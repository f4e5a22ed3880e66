// A service file's YAML as JSON, unvalidated (zinit's get), read and parsed within the same bounds as a load.
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import { readRegularFile } from '../os/read-regular-file.js';
import { decodeServiceText } from './decode-text.js';
import { walkDocument } from './document-walk.js';
import { MAX_ALIASES, MAX_DEPTH, MAX_FILE_BYTES, MAX_INDENT_COLUMNS } from './limits.js';
import { refusalMessage } from './refusal-message.js';
import { lineAndColumn } from './text-position.js';
import { prescanProblem } from './yaml-prescan.js';

export type DocumentRead =
  | { readonly kind: 'content'; readonly value: Record<string, unknown> }
  | { readonly kind: 'missing' }
  /** Not YAML, or not a mapping: `detail` says where (file:line:column) and why. */
  | { readonly kind: 'not-yaml'; readonly detail: string }
  /** Not read at all: `detail` says why. */
  | { readonly kind: 'failed'; readonly detail: string };

export async function readDocument(file: string): Promise<DocumentRead> {
  const read = await readRegularFile(file, MAX_FILE_BYTES);
  if (!read.ok) {
    if (read.refusal.kind === 'unreadable' && read.refusal.errno === 'ENOENT') return { kind: 'missing' };
    return { kind: 'failed', detail: `${file} ${refusalMessage(read.refusal).message}` };
  }
  const decoded = decodeServiceText(read.bytes);
  if (!decoded.ok) return { kind: 'not-yaml', detail: `${file}:${decoded.line}:${decoded.column}: ${decoded.message}` };
  const { text } = decoded;
  // The parser recurses per level of nesting: too deep a file is refused before it runs, as a load refuses it.
  const early = prescanProblem(text, { maxDepth: MAX_DEPTH, maxAliases: MAX_ALIASES, maxIndent: MAX_INDENT_COLUMNS });
  if (early !== null) {
    const at = lineAndColumn(text, early.offset);
    return { kind: 'not-yaml', detail: `${file}:${at.line}:${at.column}: ${early.message}` };
  }
  const lines = new LineCounter();
  // As a load parses it: the library's own duplicate-key check compares every key with every earlier one; the walk uses a set.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const first = doc.errors[0];
  if (first !== undefined) {
    const at = lines.linePos(first.pos[0]);
    return { kind: 'not-yaml', detail: `${file}:${at.line}:${at.col}: ${first.message}` };
  }
  const problem = walkDocument(doc, { maxDepth: MAX_DEPTH, maxAliases: MAX_ALIASES }).problems[0];
  if (problem !== undefined) {
    const at = problem.offset === null ? null : lines.linePos(problem.offset);
    return { kind: 'not-yaml', detail: at === null ? `${file}: ${problem.message}` : `${file}:${at.line}:${at.col}: ${problem.message}` };
  }
  if (!isMap(doc.contents)) {
    const holds = doc.contents === null ? 'nothing' : isSeq(doc.contents) ? 'a list' : 'a single value';
    return { kind: 'not-yaml', detail: `${file} holds ${holds}, not a mapping of keys to values` };
  }
  return { kind: 'content', value: doc.toJS({ maxAliasCount: MAX_ALIASES }) as Record<string, unknown> };
}
