// The real CgroupFs: synchronous node:fs calls on the cgroup v2 filesystem, failures as CgroupError with errno and path.
import fs from 'node:fs';
import path from 'node:path';
import { CgroupError } from '../errors/cgroup-errors.js';
import { errnoOf } from '../errors/errno.js';
import { messageOf } from '../errors/message-of.js';
import type { CgroupFs } from '../supervisor/ports.js';

function ioError(what: string, target: string, err: unknown): CgroupError {
  return new CgroupError('CGROUP_IO', `cannot ${what} ${target}: ${messageOf(err)}`, errnoOf(err) ?? null, target);
}

export const cgroupFs: CgroupFs = {
  mkdir(dir) {
    try {
      fs.mkdirSync(dir);
    } catch (err) {
      if (errnoOf(err) === 'EEXIST') return;
      throw ioError('create the cgroup', dir, err);
    }
  },

  rmdir(dir) {
    try {
      fs.rmdirSync(dir);
      return true;
    } catch (err) {
      const code = errnoOf(err);
      if (code === 'ENOENT') return true;
      // The kernel answers EBUSY for a cgroup with processes or child cgroups; ENOTEMPTY is what a
      // plain directory (not a cgroup) would say, and means the same to the caller.
      if (code === 'EBUSY' || code === 'ENOTEMPTY') return false;
      throw ioError('remove the cgroup', dir, err);
    }
  },

  read(file) {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch (err) {
      const code = errnoOf(err);
      // ENODEV: kernfs answers it for a file whose cgroup was removed between open and read.
      if (code === 'ENOENT' || code === 'ENODEV') return null;
      throw ioError('read', file, err);
    }
  },

  write(file, text) {
    let fd: number;
    try {
      // O_WRONLY alone: no O_CREAT (cgroupfs refuses to create files, with EACCES instead of the ENOENT a
      // missing controller file should give), and no read access asked, which a delegated owner lacks on
      // write-only files such as cgroup.kill (mode 0200).
      fd = fs.openSync(file, fs.constants.O_WRONLY);
    } catch (err) {
      throw ioError('open', file, err);
    }
    try {
      const bytes = Buffer.from(text, 'utf8');
      const written = fs.writeSync(fd, bytes, 0, bytes.length);
      // kernfs takes at most one page per write(2) and returns the short count without an error.
      if (written !== bytes.length) {
        throw new CgroupError('CGROUP_IO', `cannot write ${file}: the kernel took ${written} of ${bytes.length} bytes`, null, file);
      }
    } catch (err) {
      if (err instanceof CgroupError) throw err;
      throw ioError('write', file, err);
    } finally {
      fs.closeSync(fd);
    }
  },

  children(dir) {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      if (errnoOf(err) === 'ENOENT' || errnoOf(err) === 'ENODEV') return [];
      throw ioError('list', dir, err);
    }
    return entries.filter((e) => e.isDirectory()).map((e) => e.name);
  },

  watch(file, onChange) {
    let watcher: fs.FSWatcher;
    try {
      watcher = fs.watch(path.resolve(file), { persistent: false }, () => onChange());
    } catch {
      // Gone already (ENOENT) or not watchable: the contract is a closer that does nothing.
      return () => undefined;
    }
    // inotify reports the removal of the watched file's cgroup as an error on some paths; an
    // unhandled 'error' would crash the daemon long after this call returned.
    watcher.on('error', () => watcher.close());
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      watcher.close();
    };
  },
};
