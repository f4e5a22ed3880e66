// koffi, opened with process.dlopen. Requiring the package (importing it requires its .node file all the same) runs
// Node's CommonJS loader and resolver for the first time in the daemon, and what they compile and touch stays
// resident: about 6 MiB of an idle daemon's 60 on Node 24 (README, "Idle"). The prebuilt binary that koffi's own
// loader picks first on Linux is opened directly; anywhere else, or if that fails, koffi's loader decides.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type koffiModule from 'koffi';

export type Koffi = typeof koffiModule;

export interface Platform {
  readonly platform: string;
  readonly arch: string;
  /** The running Node was linked against musl (Alpine): koffi ships a binary of its own for it. */
  readonly musl: boolean;
}

/** Where koffi's platform package keeps the binary for this platform (relative to that package); null off Linux. */
export function prebuiltBinaryPath(p: Platform): { readonly pkg: string; readonly file: string } | null {
  if (p.platform !== 'linux') return null;
  return { pkg: `@koromix/koffi-${p.platform}-${p.arch}`, file: `${p.musl ? 'musl' : 'linux'}_${p.arch}/koffi.node` };
}

/** This process's platform: the dynamic loader mapped into it says which libc it runs on. */
export function thisPlatform(): Platform {
  let musl = false;
  try {
    musl = fs.readFileSync('/proc/self/maps', 'utf8').includes('/ld-musl-');
  } catch {
    // No /proc: glibc is the common case, and a wrong guess only fails to open and falls back.
  }
  return { platform: process.platform, arch: process.arch, musl };
}

function isKoffi(x: unknown): x is Koffi {
  const k = x as Partial<Koffi> | null;
  return typeof k?.load === 'function' && typeof k.version === 'string';
}

/** How koffi was opened: directly, or through its own loader (with why not directly). */
export type Opened = { readonly koffi: Koffi; readonly direct: true } | { readonly koffi: Koffi; readonly direct: false; readonly why: string };

export function openKoffi(platform: Platform = thisPlatform()): Opened {
  let why = 'no prebuilt binary for this platform';
  const where = prebuiltBinaryPath(platform);
  if (where !== null) {
    try {
      const dir = path.dirname(fileURLToPath(import.meta.resolve(`${where.pkg}/package.json`)));
      const m = { exports: {} as unknown };
      process.dlopen(m, path.join(dir, where.file));
      if (isKoffi(m.exports)) return { koffi: m.exports, direct: true };
      why = `${where.pkg}/${where.file} is not koffi`;
    } catch (err) {
      why = err instanceof Error ? err.message : String(err);
    }
  }
  return { koffi: createRequire(import.meta.url)('koffi') as Koffi, direct: false, why };
}
