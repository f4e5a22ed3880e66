// Shell-like word splitting for command lines: quotes and backslashes, no expansion, no globbing.

const BLANK = new Set([' ', '\t', '\n', '\r']);
/** Inside double quotes a backslash only escapes these (POSIX); before anything else it is literal. */
const DQUOTE_ESCAPABLE = new Set(['"', '\\', '$', '`']);

export function shellSplit(line: string): string[] {
  const words: string[] = [];
  let word = '';
  // A word exists once any character or quote pair is seen, so `''` yields an empty argument.
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const ch = line[i] as string;
    if (BLANK.has(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i += 1;
    } else if (ch === '#' && !inWord) {
      // As in sh: an unquoted `#` starting a word comments out the rest of the line.
      const nl = line.indexOf('\n', i);
      i = nl === -1 ? line.length : nl;
    } else if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end === -1) throw unterminated('single', i, line);
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (ch === '"') {
      i = readDoubleQuoted(line, i, (s) => { word += s; });
      inWord = true;
    } else if (ch === '\\') {
      const next = line[i + 1];
      if (next === undefined) {
        throw new Error(`${JSON.stringify(line)} ends with a lone backslash; write \\\\ for a literal backslash`);
      }
      // Backslash-newline is a line continuation, as in sh.
      if (next !== '\n') {
        word += next;
        inWord = true;
      }
      i += 2;
    } else {
      word += ch;
      inWord = true;
      i += 1;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** Reads a double-quoted section starting at `open`; returns the index after its closing quote. */
function readDoubleQuoted(line: string, open: number, append: (s: string) => void): number {
  let i = open + 1;
  while (i < line.length) {
    const ch = line[i] as string;
    if (ch === '"') return i + 1;
    if (ch === '\\' && i + 1 < line.length) {
      const next = line[i + 1] as string;
      if (DQUOTE_ESCAPABLE.has(next)) append(next);
      else if (next !== '\n') append(ch + next);
      i += 2;
    } else {
      append(ch);
      i += 1;
    }
  }
  throw unterminated('double', open, line);
}

function unterminated(kind: 'single' | 'double', at: number, line: string): Error {
  const quote = kind === 'single' ? "'" : '"';
  return new Error(
    `unterminated ${kind} quote at character ${at + 1} of ${JSON.stringify(line)}; add the closing ${quote}`,
  );
}
