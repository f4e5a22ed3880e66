// Reader for `user` and `group`: a name (looked up through the injected resolver) or a numeric id.
import { isScalar } from 'yaml';
import { plainValue, type ErrorCollector, type YamlNode } from './collector.js';
import { describeValue } from './describe-value.js';
import type { IdentityResolver } from './types.js';

/** Linux ids are 32-bit and (uid_t)-1 means "no change" to setuid, so it cannot name anyone. */
const MAX_ID = 4_294_967_294;

export interface Identity {
  /** As written: a name or a decimal id. */
  readonly name: string;
  /** null when it is a name and no resolver was given. */
  readonly id: number | null;
}

export function readIdentity(
  c: ErrorCollector,
  kind: 'user' | 'group',
  node: YamlNode,
  resolve?: IdentityResolver,
): Identity | undefined {
  const value = plainValue(node);
  if (typeof value === 'number' && !(Number.isSafeInteger(value) && value >= 0)) {
    c.at(node, `${kind} id must be a whole number from 0 to ${MAX_ID}, got number ${value}`);
    return undefined;
  }
  let text: string | null = null;
  if (typeof value === 'number') text = String(value);
  else if (isScalar(node) && typeof value === 'string') text = value.trim();
  if (text === null || text === '') {
    c.at(node, `${kind} must be a ${kind} name or a numeric id, got ${describeValue(value)}`);
    return undefined;
  }
  if (/^\d+$/.test(text)) {
    const id = Number(text);
    if (id > MAX_ID) {
      c.at(node, `${kind} id ${text} is out of range; ids go from 0 to ${MAX_ID}`);
      return undefined;
    }
    return { name: text, id };
  }
  if (resolve === undefined) return { name: text, id: null };
  let id: number | null;
  try {
    id = resolve(kind, text);
  } catch (err) {
    c.at(node, `${kind} ${JSON.stringify(text)} could not be looked up: ${(err as Error).message}`);
    return undefined;
  }
  if (id === null) {
    c.at(node, `${kind} ${JSON.stringify(text)} does not exist on this system; use an existing name or a numeric id`);
    return undefined;
  }
  return { name: text, id };
}
