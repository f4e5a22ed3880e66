// Size-based rotation of a log file: path → path.1 → … → path.N, the oldest dropped.

import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Shifts the rotated files up by one and moves the live file to `path.1`, given the highest
 * `path.N` known to exist; returns the new highest. With maxFiles 0 the live file is deleted.
 */
export async function rotateFiles(file: string, maxFiles: number, onDisk: number): Promise<number> {
  if (maxFiles === 0) {
    await fs.rm(file, { force: true });
    return 0;
  }
  // Highest first, so each rename lands on a name already moved away; renaming onto path.N drops the oldest.
  for (let n = Math.min(onDisk, maxFiles - 1); n >= 1; n--) {
    await renameIfExists(`${file}.${n}`, `${file}.${n + 1}`);
  }
  await renameIfExists(file, `${file}.1`);
  return Math.min(onDisk + 1, maxFiles);
}

/** Deletes rotated files beyond maxFiles (left by an earlier, larger setting); returns the highest kept. */
export async function pruneRotated(file: string, maxFiles: number): Promise<number> {
  const dir = path.dirname(file);
  const base = `${path.basename(file)}.`;
  let highest = 0;
  for (const name of await fs.readdir(dir)) {
    if (!name.startsWith(base)) continue;
    const suffix = name.slice(base.length);
    if (!/^[1-9]\d*$/.test(suffix)) continue;
    const n = Number(suffix);
    if (n > maxFiles) await fs.rm(path.join(dir, name), { force: true });
    else highest = Math.max(highest, n);
  }
  return highest;
}

async function renameIfExists(from: string, to: string): Promise<void> {
  try {
    await fs.rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
