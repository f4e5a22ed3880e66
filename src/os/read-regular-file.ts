// Reads a file only if it is a regular file, and never more than a cap: no FIFO, device, socket or directory is read.
import { constants, type Stats } from 'node:fs';
import fs from 'node:fs/promises';

export type ReadRefusal =
  /** `what` names the kind ("a FIFO (named pipe)"); `linkTarget` is set when the name is a symbolic link. */
  | { readonly kind: 'not-regular'; readonly what: string; readonly linkTarget: string | null }
  /** `size` is null when the file reported no size but held more than the cap (a /proc file, say). */
  | { readonly kind: 'too-large'; readonly size: number | null }
  | { readonly kind: 'dangling-link'; readonly linkTarget: string }
  | { readonly kind: 'link-loop' }
  | { readonly kind: 'unreadable'; readonly errno: string | undefined; readonly message: string };

export type ReadOutcome = { readonly ok: true; readonly bytes: Buffer } | { readonly ok: false; readonly refusal: ReadRefusal };

// O_NONBLOCK: should the name turn into a FIFO between the stat and the open, open(2) returns at once.
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY;

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isDirectory()) return 'a directory';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

async function linkTarget(file: string): Promise<string | null> {
  return fs.readlink(file).catch(() => null);
}

async function refusedFromError(file: string, err: unknown): Promise<ReadRefusal> {
  const errno = (err as NodeJS.ErrnoException | null)?.code;
  if (errno === 'ELOOP') return { kind: 'link-loop' };
  if (errno === 'ENOENT') {
    const target = await linkTarget(file);
    if (target !== null) return { kind: 'dangling-link', linkTarget: target };
  }
  return { kind: 'unreadable', errno, message: (err as Error).message };
}

/**
 * The bytes of `file` if it is a regular file (symlinks followed) of at most `maxBytes`. The name is
 * examined before it is opened, because opening a device can act (a watchdog arms, a tape rewinds);
 * the opened descriptor is examined again, because the name can be swapped in between.
 */
export async function readRegularFile(file: string, maxBytes: number): Promise<ReadOutcome> {
  let st: Stats;
  try {
    st = await fs.stat(file);
  } catch (err) {
    return { ok: false, refusal: await refusedFromError(file, err) };
  }
  if (!st.isFile()) return { ok: false, refusal: { kind: 'not-regular', what: kindOf(st), linkTarget: await linkTarget(file) } };
  if (st.size > maxBytes) return { ok: false, refusal: { kind: 'too-large', size: st.size } };
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, OPEN_FLAGS);
  } catch (err) {
    return { ok: false, refusal: await refusedFromError(file, err) };
  }
  try {
    const opened = await handle.stat();
    if (!opened.isFile()) return { ok: false, refusal: { kind: 'not-regular', what: kindOf(opened), linkTarget: await linkTarget(file) } };
    if (opened.size > maxBytes) return { ok: false, refusal: { kind: 'too-large', size: opened.size } };
    return await readAtMost(handle, opened.size, maxBytes);
  } catch (err) {
    return { ok: false, refusal: await refusedFromError(file, err) };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Reads to the end, but no more than maxBytes + 1 bytes: one byte past the cap proves the file too large. */
async function readAtMost(handle: fs.FileHandle, sizeHint: number, maxBytes: number): Promise<ReadOutcome> {
  const limit = maxBytes + 1;
  let buf = Buffer.allocUnsafe(Math.min(limit, sizeHint + 1));
  let total = 0;
  for (;;) {
    if (total === buf.length) {
      if (buf.length === limit) return { ok: false, refusal: { kind: 'too-large', size: null } };
      // The file grew since fstat: grow with it, up to the cap.
      const bigger = Buffer.allocUnsafe(Math.min(limit, buf.length * 2));
      buf.copy(bigger, 0, 0, total);
      buf = bigger;
    }
    const { bytesRead } = await handle.read(buf, total, buf.length - total, null);
    if (bytesRead === 0) return { ok: true, bytes: buf.subarray(0, total) };
    total += bytesRead;
  }
}
