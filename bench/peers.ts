// What every manager under test provides: whether it is here (and its version), and how to start, stop, measure and query it in a namespace.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Namespace } from './bench-namespace.js';
import type { Workload } from './bench-workloads.js';

export const PEER_NAMES = ['zinit-ts', 'tini', 'supervisord', 's6', 'pm2'] as const;
export type PeerName = (typeof PEER_NAMES)[number];

export type Probe = { readonly present: true; readonly version: string } | { readonly present: false; readonly why: string };

export type StopHow = { readonly signal: string } | { readonly argv: readonly string[]; readonly env?: Record<string, string> };

export interface Launched {
  /** The manager's pid inside the namespace. */
  readonly pid: number;
  /** What the request to stop everything is. */
  readonly stop: StopHow;
  /** A one-line description of that request, for the report. */
  readonly stopLabel: string;
  /** The processes whose memory and CPU count as the manager's. */
  measuredPids(ns: Namespace): Promise<number[]>;
  /** The command that shows every service's status, or null if the manager has none. */
  readonly statusCommand: { readonly argv: readonly string[]; readonly env?: Record<string, string> } | null;
  /** The zinit-ts control socket, for RPC figures. */
  readonly socket?: string;
}

export interface Peer {
  readonly name: PeerName;
  probe(): Promise<Probe>;
  /** Writes the manager's configuration for `work` under `dir` and starts it in `ns`. */
  launch(ns: Namespace, dir: string, work: Workload): Promise<Launched>;
}

/** The absolute path of a program on PATH, or null. */
export function which(program: string): string | null {
  for (const d of (process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(':')) {
    const p = path.join(d || '.', program);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* not in this directory */
    }
  }
  return null;
}

/** The Debian package version of an installed package, or null. */
export function debVersion(pkg: string): string | null {
  try {
    const v = execFileSync('dpkg-query', ['-W', '-f', '${Version}', pkg], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
    return v === '' ? null : v;
  } catch {
    return null;
  }
}

/** Probe for a Debian-packaged peer: its binary on PATH, its version from dpkg. */
export function debianProbe(binary: string, pkg: string): Probe {
  if (which(binary) === null) return { present: false, why: `${binary} not on PATH (apt-get install ${pkg})` };
  return { present: true, version: debVersion(pkg) ?? 'unknown version' };
}

export function writeExecutable(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text, { mode: 0o755 });
}

/** A command line as one shell-safe string (for generated scripts and config files). */
export function shellJoin(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
