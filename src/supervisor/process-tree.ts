// Arranges a service's processes into a tree by parent links; escapees become extra roots, marked.
import type { TrackedProcess } from './ports.js';

export interface TreeNode {
  readonly pid: number;
  readonly comm: string;
  /** The command line (argv), empty for a kernel thread or a process gone meanwhile. */
  readonly cmdline: readonly string[];
  readonly state: string;
  /** Found by the service's environment tag alone: outside its group and session, and its parent chain no longer reaches the main process. */
  readonly escaped: boolean;
  readonly children: TreeNode[];
}

export function buildProcessTree(procs: readonly TrackedProcess[], mainPid: number | null, commandLine: (pid: number) => readonly string[] = () => []): TreeNode[] {
  const nodes = new Map<number, TreeNode>();
  for (const p of procs) nodes.set(p.pid, { pid: p.pid, comm: p.comm, cmdline: commandLine(p.pid), state: p.state, escaped: p.escaped, children: [] });
  const roots: TreeNode[] = [];
  for (const p of [...procs].sort((a, b) => a.pid - b.pid)) {
    const node = nodes.get(p.pid);
    if (!node) continue;
    const parent = p.pid === mainPid ? undefined : nodes.get(p.ppid);
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  // The main process first, then escapees and other roots by pid.
  return roots.sort((a, b) => (a.pid === mainPid ? -1 : b.pid === mainPid ? 1 : a.pid - b.pid));
}
