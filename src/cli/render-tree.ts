// The process trees of `tree` as text: one line per process with its command line, cut to the terminal's width.
import type { TreeNode } from '../supervisor/process-tree.js';

/** A command line as a shell would show it: arguments with spaces or quotes are quoted. */
export function commandText(node: Pick<TreeNode, 'cmdline' | 'comm'>): string {
  if (node.cmdline.length === 0) return `[${node.comm}]`;
  return node.cmdline.map((a) => (a === '' || /[\s'"\\$`]/.test(a) ? `'${a.replace(/'/g, `'\\''`)}'` : a)).join(' ');
}

/** Cuts a line to `width` columns (counting code points), marking the cut with an ellipsis. */
export function cut(line: string, width: number): string {
  const chars = [...line];
  return chars.length <= width ? line : `${chars.slice(0, Math.max(1, width - 1)).join('')}…`;
}

export function renderTree(nodes: readonly TreeNode[], width = Infinity, indent = ''): string[] {
  const out: string[] = [];
  nodes.forEach((n, i) => {
    const last = i === nodes.length - 1;
    const marks = `${n.escaped ? ' (escaped)' : ''}${n.state === 'T' ? ' [stopped]' : ''}`;
    out.push(cut(`${indent}${last ? '└─' : '├─'} ${n.pid} ${commandText(n)}${marks}`, width));
    out.push(...renderTree(n.children, width, indent + (last ? '   ' : '│  ')));
  });
  return out;
}
