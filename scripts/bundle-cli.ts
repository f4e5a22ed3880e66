// After tsc: the CLI entry and everything `list` and `status` run, bundled into dist/src/cli/main.js, so those commands load one file.
// Run from the package root (as npm runs scripts). Without esbuild installed, the entry stays as tsc wrote it: correct, a few ms slower.
import path from 'node:path';

interface Esbuild {
  build(options: Record<string, unknown>): Promise<unknown>;
}

// A name in a variable: tsc neither needs esbuild's types nor fails the build where it is not installed.
const ESBUILD = 'esbuild';
const entry = path.resolve('dist', 'src', 'cli', 'main.js');

let esbuild: Esbuild;
try {
  esbuild = (await import(ESBUILD)) as Esbuild;
} catch (err) {
  if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err;
  process.stderr.write(`bundle-cli: esbuild is not installed (npm ci installs it); ${path.relative(process.cwd(), entry)} left unbundled\n`);
  process.exit(0);
}

await esbuild.build({
  entryPoints: [entry],
  outfile: entry,
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  // commander and the daemon stay out of the bundle: program.js is tsc's file, loaded only when needed.
  external: ['./program.js'],
  // Through tsc's own maps, so stack traces still point at the TypeScript.
  sourcemap: 'linked',
  logLevel: 'warning',
});
