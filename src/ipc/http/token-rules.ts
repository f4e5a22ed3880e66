// What makes a bearer token file usable: a regular file of ours that nobody else can read or write, holding one strong token.
import { TokenFileError } from '../../errors/http-errors.js';

export const MAX_TOKEN_FILE_BYTES = 4096;
export const MIN_TOKEN_LENGTH = 16;
/** Bytes of randomness in a token zinit-ts creates (hex-encoded: 64 characters). */
export const NEW_TOKEN_BYTES = 32;

export interface TokenFileFacts {
  readonly isFile: boolean;
  readonly mode: number;
  readonly uid: number;
  readonly size: number;
}

/** Null when the file may hold the token; else why not, and how to fix it. `euid`: the user zinit-ts runs as. */
export function checkTokenFile(file: string, facts: TokenFileFacts, euid: number): TokenFileError | null {
  if (!facts.isFile) return new TokenFileError('not-a-file', `the token file ${file} is not a regular file`);
  const open = facts.mode & 0o077;
  if (open !== 0) {
    const mode = (facts.mode & 0o777).toString(8).padStart(4, '0');
    return new TokenFileError('open-mode', `the token file ${file} is readable or writable by group or others (mode ${mode}): run chmod 600 ${file}`);
  }
  // A file another user owns could be rewritten by that user, who would then hold this daemon's token.
  if (facts.uid !== euid && facts.uid !== 0) {
    return new TokenFileError('owner', `the token file ${file} belongs to uid ${facts.uid}, not to the user zinit-ts runs as (uid ${euid}): run chown ${euid} ${file}`);
  }
  if (facts.size > MAX_TOKEN_FILE_BYTES) return new TokenFileError('too-large', `the token file ${file} is larger than ${MAX_TOKEN_FILE_BYTES} bytes: it should hold one token`);
  return null;
}

/** The token in a file's text (surrounding whitespace ignored); throws when it is not one strong token. */
export function tokenFromText(file: string, text: string): string {
  const token = text.trim();
  if (token.length < MIN_TOKEN_LENGTH || !/^[\x21-\x7e]+$/.test(token)) {
    throw new TokenFileError(
      'weak',
      `the token file ${file} must hold one token of at least ${MIN_TOKEN_LENGTH} printable characters without spaces (such as the output of: openssl rand -hex 32)`,
    );
  }
  return token;
}
