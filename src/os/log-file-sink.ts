// A service's output appended to a file with timestamps, rotated by size, reopened when removed or replaced, written off the hot path.

import fs from 'node:fs/promises';
import path from 'node:path';
import { isoTime } from '../log/iso-time.js';
import type { OutputStream } from '../log/log-line.js';
import { RecordQueue, type RecordBatch } from '../log/record-queue.js';
import { pruneRotated, rotateFiles } from './rotate-log-files.js';

export interface FileSinkOptions {
  readonly path: string;
  /** Largest a file may grow, in bytes; the next line that would pass it goes to a fresh file. */
  readonly maxSize: number;
  /** Rotated files kept beside the live one (`path.1` newest … `path.N` oldest). */
  readonly maxFiles: number;
  /** Told once when the file becomes unwritable (and once again per later failure after a recovery). */
  readonly onError?: (error: Error) => void;
  readonly now?: () => number;
  /** Output buffered while the disk catches up; beyond it lines are dropped and counted. */
  readonly maxPendingBytes?: number;
  /** Least time between two checks that the path still names the open file; default 1000 ms. */
  readonly checkEveryMs?: number;
  /** Told each time the file was found removed or replaced and was opened again at its path. */
  readonly onReopen?: (event: FileSinkReopen) => void;
}

export interface FileSinkReopen {
  readonly path: string;
  /** `removed`: nothing at the path (deleted, renamed away, or its directory removed); `replaced`: another file is there. */
  readonly reason: 'removed' | 'replaced';
  /** The topmost directory that had to be created again, or null. */
  readonly createdDir: string | null;
}

export interface FileSinkStats {
  /** Records on disk, drop notices included. */
  readonly written: number;
  readonly dropped: number;
  readonly rotations: number;
}

const DEFAULT_MAX_PENDING_BYTES = 16 * 1024 * 1024;
const MAX_WRITE_BYTES = 8 * 1024 * 1024;
/** After a failure, lines are dropped for this long before the file is tried again. */
const RETRY_AFTER_MS = 5000;
const DEFAULT_CHECK_EVERY_MS = 1000;

export class FileSink {
  private readonly file: string;
  private readonly maxSize: number;
  private readonly maxFiles: number;
  private readonly now: () => number;
  private readonly maxPendingBytes: number;
  private readonly checkEveryMs: number;
  private handle: fs.FileHandle | null = null;
  /** Identity of the open file, to tell whether the path still names it. */
  private opened: { dev: bigint; ino: bigint } | null = null;
  private checkedAt = 0;
  private size = 0;
  // One writer takes the whole queue at a time, so records reach the disk in the order written.
  private queue = new RecordQueue();
  private writing = false;
  private idleWaiters: (() => void)[] = [];
  /** Lines dropped since the last notice written about them. */
  private dropped = 0;
  private readonly totals = { written: 0, dropped: 0, rotations: 0 };
  /** Highest `path.N` on disk, learned once from the directory so rotation renames only what exists. */
  private rotatedOnDisk: number | null = null;
  /** The batch in hand; what is left of it is counted as dropped if writing fails. */
  private batch: RecordBatch | null = null;
  private failedAt: number | null = null;
  private createdDir: string | null = null;
  private errorReported = false;
  private closed = false;

  constructor(private readonly options: FileSinkOptions) {
    const { maxSize, maxFiles } = options;
    if (!Number.isInteger(maxSize) || maxSize < 1) {
      throw new RangeError(`Expected \`maxSize\` to be a positive integer of bytes, got ${String(maxSize)}`);
    }
    if (!Number.isInteger(maxFiles) || maxFiles < 0) {
      throw new RangeError(`Expected \`maxFiles\` to be a non-negative integer, got ${String(maxFiles)}`);
    }
    this.file = options.path;
    this.maxSize = maxSize;
    this.maxFiles = maxFiles;
    this.now = options.now ?? Date.now;
    this.maxPendingBytes = options.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;
    this.checkEveryMs = options.checkEveryMs ?? DEFAULT_CHECK_EVERY_MS;
  }

  /** Queues one line as `<ISO ts> <stream>: <text>`; never throws and never waits for the disk. */
  write(stream: OutputStream, text: string, ts: number = this.now()): void {
    if (this.closed) return;
    if (this.failedAt !== null) {
      if (this.now() - this.failedAt < RETRY_AFTER_MS) {
        this.drop(1);
        return;
      }
      this.failedAt = null;
    }
    if (this.queue.byteLength >= this.maxPendingBytes) {
      this.drop(1);
      return;
    }
    if (this.dropped > 0) {
      this.queue.push(`${isoTime(ts)} zinit: ${this.dropped} lines dropped (log file unwritable or too slow)\n`);
      this.dropped = 0;
    }
    this.queue.push(`${isoTime(ts)} ${stream}: ${text}\n`);
    if (!this.writing) {
      this.writing = true;
      void this.writeQueued();
    }
  }

  stats(): FileSinkStats {
    return { ...this.totals };
  }

  /** Resolves once every line queued so far has been written (or dropped by a failure). */
  flushed(): Promise<void> {
    if (!this.writing) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Writes what is queued, then closes the file; later writes are ignored. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flushed();
    const handle = this.handle;
    this.handle = null;
    await handle?.close().catch(() => undefined);
  }

  private drop(lines: number): void {
    this.dropped += lines;
    this.totals.dropped += lines;
  }

  private async writeQueued(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        // One stat per batch at most, and not more often than checkEveryMs: a flood writes big batches.
        if (this.handle !== null && this.now() - this.checkedAt >= this.checkEveryMs) await this.reopenIfMoved();
        this.batch = this.queue.take();
        await this.writeBatch(this.batch);
        this.batch = null;
        this.errorReported = false;
      }
    } catch (error) {
      this.fail(error);
    }
    // Same tick as the emptiness check above: a write arriving after this starts a new pass.
    this.writing = false;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private async writeBatch(batch: RecordBatch): Promise<void> {
    while (batch.remaining > 0) {
      const handle = this.handle ?? (await this.open());
      const first = batch.peekSize() ?? 0;
      if (this.size > 0 && this.size + first > this.maxSize) {
        await this.rotate();
        continue;
      }
      let count = 0;
      let bytes = 0;
      for (;;) {
        const next = batch.peekSize(count);
        if (next === undefined || this.size + bytes + next > this.maxSize) break;
        if (bytes > 0 && bytes + next > MAX_WRITE_BYTES) break;
        bytes += next;
        count += 1;
      }
      if (count === 0) {
        // One record larger than a whole file: it gets a file of its own, cut to fit.
        const cut = truncateRecord(Buffer.concat(batch.take(1)), this.maxSize);
        await writeFully(handle, [cut]);
        this.size += cut.length;
        this.totals.written += 1;
        continue;
      }
      await writeFully(handle, batch.take(count));
      this.size += bytes;
      this.totals.written += count;
    }
  }

  /** Opens the path for appending, creating its directories; the topmost one created is kept for the reopen notice. */
  private async open(): Promise<fs.FileHandle> {
    this.createdDir = (await fs.mkdir(path.dirname(this.file), { recursive: true })) ?? null;
    const handle = await fs.open(this.file, 'a');
    try {
      const st = await handle.stat({ bigint: true });
      this.size = Number(st.size);
      this.opened = { dev: st.dev, ino: st.ino };
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
    this.handle = handle;
    this.checkedAt = this.now();
    return handle;
  }

  /**
   * Lines written to a file that was deleted or renamed away reach no one who looks at the path:
   * the path is opened again (its directory too), as `logrotate` without copytruncate expects.
   */
  private async reopenIfMoved(): Promise<void> {
    this.checkedAt = this.now();
    const reason = await this.movedReason();
    if (reason === null) return;
    const handle = this.handle;
    this.handle = null;
    this.opened = null;
    // Rotated files may have gone with the directory: learn them again before the next rotation.
    this.rotatedOnDisk = null;
    await handle?.close().catch(() => undefined);
    await this.open();
    try {
      this.options.onReopen?.({ path: this.file, reason, createdDir: this.createdDir });
    } catch {
      // The reporter's own failure must not take the writer down with it.
    }
  }

  private async movedReason(): Promise<FileSinkReopen['reason'] | null> {
    try {
      const st = await fs.stat(this.file, { bigint: true });
      return this.opened !== null && (st.ino !== this.opened.ino || st.dev !== this.opened.dev) ? 'replaced' : null;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Any other failure (EACCES on the directory, say) leaves the open file in use: it still takes the lines.
      return code === 'ENOENT' || code === 'ENOTDIR' ? 'removed' : null;
    }
  }

  private async rotate(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    this.opened = null;
    await handle?.close();
    const onDisk = this.rotatedOnDisk ?? (await pruneRotated(this.file, this.maxFiles));
    this.rotatedOnDisk = await rotateFiles(this.file, this.maxFiles, onDisk);
    this.totals.rotations += 1;
  }

  private fail(error: unknown): void {
    this.failedAt = this.now();
    this.drop((this.batch?.remaining ?? 0) + this.queue.length);
    this.batch = null;
    this.queue = new RecordQueue();
    const handle = this.handle;
    this.handle = null;
    this.opened = null;
    void handle?.close().catch(() => undefined);
    if (this.errorReported) return;
    this.errorReported = true;
    try {
      this.options.onError?.(error instanceof Error ? error : new Error(String(error)));
    } catch {
      // The reporter's own failure must not take the writer down with it.
    }
  }
}

async function writeFully(handle: fs.FileHandle, buffers: Buffer[]): Promise<void> {
  let rest = buffers;
  while (rest.length > 0) {
    const { bytesWritten } = await handle.writev(rest);
    rest = skipBytes(rest, bytesWritten);
  }
}

function skipBytes(buffers: Buffer[], n: number): Buffer[] {
  let i = 0;
  while (i < buffers.length && n >= (buffers[i]?.length ?? 0)) n -= buffers[i++]?.length ?? 0;
  if (i === buffers.length) return [];
  const rest = buffers.slice(i);
  if (n > 0 && rest[0] !== undefined) rest[0] = rest[0].subarray(n);
  return rest;
}

function truncateRecord(record: Buffer, maxSize: number): Buffer {
  if (record.length <= maxSize) return record;
  let cut = Math.max(0, maxSize - 1);
  while (cut > 0 && ((record[cut] ?? 0) & 0xc0) === 0x80) cut -= 1;
  return Buffer.concat([record.subarray(0, cut), Buffer.from('\n')]);
}
