// One pass over a parsed service file, without recursion: nesting depth, alias count, duplicate keys, and where each alias points.
import { isAlias, isMap, isScalar, isSeq, type Alias, type Document } from 'yaml';
import { startOffset, type YamlNode } from './collector.js';
import type { ConfigErrorCode } from './types.js';
import { tooDeepMessage, tooManyAliasesMessage } from './yaml-prescan.js';

export interface WalkProblem {
  readonly offset: number | null;
  readonly code: ConfigErrorCode;
  readonly message: string;
}

export interface WalkResult {
  /** The anchored node each alias stands for (undefined: no such anchor before it). */
  readonly aliasTargets: ReadonlyMap<Alias, YamlNode>;
  readonly problems: WalkProblem[];
}

export interface WalkLimits {
  readonly maxDepth: number;
  readonly maxAliases: number;
}

/**
 * What makes two keys of one mapping the same, as the YAML library judges it when it checks
 * (scalars with equal values); keys that are collections or aliases are never equal.
 */
function keyIdentity(key: YamlNode): string | null {
  if (!isScalar(key)) return null;
  const v = key.value;
  return `${typeof v}:${String(v)}`;
}

/**
 * Visits nodes in document order (a node, then its keys and values in turn), as YAML resolves an
 * alias to the last anchor of that name before it. Stops at the first depth or alias-count problem:
 * past it the tree is not worth reading.
 */
export function walkDocument(doc: Document, limits: WalkLimits): WalkResult {
  const aliasTargets = new Map<Alias, YamlNode>();
  const problems: WalkProblem[] = [];
  const anchors = new Map<string, YamlNode>();
  let aliases = 0;
  const stack: { node: YamlNode; depth: number }[] = [{ node: doc.contents, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop() ?? { node: null, depth: 0 };
    if (isAlias(node)) {
      aliases += 1;
      if (aliases > limits.maxAliases) {
        problems.push({ offset: startOffset(node), code: 'too-many-aliases', message: tooManyAliasesMessage(limits.maxAliases) });
        break;
      }
      aliasTargets.set(node, anchors.get(node.source));
      continue;
    }
    if (isScalar(node)) {
      if (typeof node.anchor === 'string') anchors.set(node.anchor, node);
      continue;
    }
    if (!isMap(node) && !isSeq(node)) continue;
    if (typeof node.anchor === 'string') anchors.set(node.anchor, node);
    const level = depth + 1;
    if (level > limits.maxDepth) {
      problems.push({ offset: startOffset(node), code: 'too-deep', message: tooDeepMessage(limits.maxDepth) });
      break;
    }
    if (isSeq(node)) {
      for (let i = node.items.length - 1; i >= 0; i -= 1) stack.push({ node: node.items[i], depth: level });
      continue;
    }
    const seen = new Set<string>();
    for (const pair of node.items) {
      const id = keyIdentity(pair.key);
      if (id === null) continue;
      if (seen.has(id)) problems.push({ offset: startOffset(pair.key), code: 'duplicate-key', message: 'this key appears twice in the file; keep only one' });
      else seen.add(id);
    }
    for (let i = node.items.length - 1; i >= 0; i -= 1) {
      const pair = node.items[i];
      stack.push({ node: pair?.value, depth: level }, { node: pair?.key, depth: level });
    }
  }
  return { aliasTargets, problems };
}
