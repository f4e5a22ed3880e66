// Paths that tests need, resolved the same from src (ts) and dist (js).
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';

function findRoot(start: string): string {
  let dir = start;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${start}`);
    dir = up;
  }
  return dir;
}

export const repoRoot = findRoot(path.dirname(fileURLToPath(import.meta.url)));
export const fixture = (name: string): string => path.join(repoRoot, 'test', 'fixtures', name);
export const cliEntry = path.join(repoRoot, 'dist', 'src', 'cli', 'main.js');
