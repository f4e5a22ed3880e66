// Turns a service file's bytes into text, refusing invalid UTF-8 and control bytes (binary files) with their position.
import { lineAndColumn } from './text-position.js';

export type Decoded =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly code: 'not-utf8' | 'binary'; readonly line: number; readonly column: number; readonly message: string };

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Offset of the first byte that breaks UTF-8 (overlong forms, surrogates and values past U+10FFFF included). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    if (b < 0x80) {
      i += 1;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k += 1) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return -1;
}

// C0 controls other than tab, LF and CR, and DEL: never in YAML text (YAML 1.2 §5.1), always in binary files.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;

function hex(code: number): string {
  return `0x${code.toString(16).padStart(2, '0').toUpperCase()}`;
}

export function decodeServiceText(bytes: Uint8Array): Decoded {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    const at = Math.max(0, firstInvalidUtf8(bytes));
    // The bytes before the bad one are valid, so their text gives the line and column.
    const before = new TextDecoder('utf-8').decode(bytes.subarray(0, at));
    const { line, column } = lineAndColumn(before, before.length);
    const message = `the file is not valid UTF-8 text (byte ${hex(bytes[at] ?? 0)} at byte offset ${at}); `
      + 'save it as UTF-8, or move it out of the config directory if it is not a service file';
    return { ok: false, code: 'not-utf8', line, column, message };
  }
  const found = CONTROL.exec(text);
  if (found !== null) {
    const code = found[0].charCodeAt(0);
    const { line, column } = lineAndColumn(text, found.index);
    const what = code === 0 ? 'a NUL byte' : `the control character ${hex(code)}`;
    const message = `the file contains ${what}, which YAML text never holds (is this a binary file?); `
      + 'remove it, or move the file out of the config directory';
    return { ok: false, code: 'binary', line, column, message };
  }
  return { ok: true, text };
}
