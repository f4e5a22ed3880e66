// After tsc: the CLI entry and everything `list` and `status` run, bundled into dist/src/cli/main.js, so those commands load one file;
// and the daemon, bundled into dist/src/daemon-entry.js (what `init` loads), its on-demand parts (the HTTP listener, the
// metrics server) in chunks of their own under dist/src/daemon-chunks/. Packages stay outside both.
// Run from the package root (as npm runs scripts). Without esbuild installed, both entries stay as tsc wrote them: correct,
// the CLI a few ms slower, the daemon a few MiB larger.
import fs from 'node:fs';
import path from 'node:path';

interface Esbuild {
  build(options: Record<string, unknown>): Promise<unknown>;
}

// A name in a variable: tsc neither needs esbuild's types nor fails the build where it is not installed.
const ESBUILD = 'esbuild';
const entry = path.resolve('dist', 'src', 'cli', 'main.js');
const daemonEntry = path.resolve('dist', 'src', 'daemon-entry.js');
const daemonChunks = path.resolve('dist', 'src', 'daemon-chunks');

/**
 * The package's bin: executable whatever wrote it last (tsc, esbuild). npm sets the bit only when it links a bin
 * anew, so a rebuild under an existing `npm install -g .` link would otherwise leave a command that cannot run.
 */
const makeEntryExecutable = (): void => fs.chmodSync(entry, 0o755);

let esbuild: Esbuild;
try {
  esbuild = (await import(ESBUILD)) as Esbuild;
} catch (err) {
  if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err;
  process.stderr.write(`bundle-cli: esbuild is not installed (npm ci installs it); ${path.relative(process.cwd(), entry)} and ${path.relative(process.cwd(), daemonEntry)} left unbundled\n`);
  makeEntryExecutable();
  process.exit(0);
}

// What both bundles share: ES modules for this Node, linked source maps (through tsc's own, so stack traces still
// point at the TypeScript).
const common = { bundle: true, platform: 'node', format: 'esm', target: 'node22', sourcemap: 'linked', logLevel: 'warning', allowOverwrite: true };

await esbuild.build({
  ...common,
  entryPoints: [entry],
  outfile: entry,
  // commander and the daemon stay out of the bundle: program.js is tsc's file, daemon-entry.js the daemon's bundle, each
  // loaded only when needed; so does heap-limit.js, as esbuild would hoist its node:v8 into the entry.
  external: ['./program.js', '../daemon-entry.js', './heap-limit.js'],
  // Smaller and one byte per character (a single non-ASCII character in a comment makes V8 keep the whole source as
  // two-byte): about 1 ms less to compile, on every command. Names are kept; the source map restores the rest.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  charset: 'ascii',
});
makeEntryExecutable();

// The daemon: Node's ESM loader resolves, links and compiles each file apart, and with about 120 files its path and URL
// helpers ran hot enough at boot to be optimised, which alone keeps V8's optimising compiler resident (README, "Idle").
fs.rmSync(daemonChunks, { recursive: true, force: true });
await esbuild.build({
  ...common,
  entryPoints: [daemonEntry],
  outdir: path.dirname(daemonEntry),
  chunkNames: 'daemon-chunks/[name]-[hash]',
  splitting: true,
  packages: 'external',
});
