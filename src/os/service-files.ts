// The config directory's service files for create, get and delete: found by name, read and checked in the loader process, written whole.
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { SERVICE_FILE_EXTENSIONS } from '../config/file-extensions.js';
import { errnoOf } from '../errors/errno.js';
import type { FileFailure, RenderedService, ServiceFileRead, ServiceFilesPort } from '../ipc/methods/service-files-port.js';
import { readDocumentIsolated, renderServiceIsolated } from './load-config-isolated.js';

/** Where a filesystem has no hard links, the file is copied without overwriting instead. */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

let serial = 0;

function failure(err: unknown, file: string): FileFailure {
  switch (errnoOf(err)) {
    case 'EACCES':
    case 'EPERM':
      return { kind: 'failed', detail: `${file}: permission denied; fix the permissions of the config directory` };
    case 'EROFS':
      return { kind: 'failed', detail: `${file}: the config directory is on a read-only file system` };
    case 'ENOSPC':
    case 'EDQUOT':
      return { kind: 'failed', detail: `${file}: no space left on the device` };
    case 'ENOENT':
      return { kind: 'failed', detail: `${file}: the config directory does not exist` };
    default:
      return { kind: 'failed', detail: `${file}: ${(err as Error).message}` };
  }
}

async function writeNew(file: string, text: string): Promise<void> {
  const handle = await fs.open(file, 'wx', 0o644);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** So a created or removed name survives a power cut; a file system that cannot sync a directory is no failure. */
async function syncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, constants.O_RDONLY | constants.O_DIRECTORY).catch(() => null);
  await handle?.sync().catch(() => undefined);
  await handle?.close();
}

export class ConfigDirFiles implements ServiceFilesPort {
  constructor(private readonly dir: string) {}

  async exists(name: string): Promise<boolean> {
    return (await this.fileOf(name)) !== null;
  }

  async read(name: string): Promise<ServiceFileRead> {
    const file = await this.fileOf(name);
    return file === null ? { kind: 'missing' } : readDocumentIsolated(file);
  }

  render(name: string, content: Readonly<Record<string, unknown>>): Promise<RenderedService> {
    return renderServiceIsolated(name, content, this.target(name));
  }

  /**
   * Written to a temporary name first (hidden, and not *.yaml: a reload meanwhile does not see it),
   * then linked to its name: the file appears whole, and a file that got there first is kept.
   */
  async create(name: string, text: string): Promise<{ readonly kind: 'created' } | { readonly kind: 'exists' } | FileFailure> {
    if (await this.exists(name)) return { kind: 'exists' };
    const file = this.target(name);
    serial += 1;
    const temp = path.join(this.dir, `.${name}.yaml.${process.pid}-${serial}.tmp`);
    try {
      await writeNew(temp, text);
    } catch (err) {
      if (errnoOf(err) !== 'EEXIST') await fs.rm(temp, { force: true });
      return failure(err, temp);
    }
    try {
      await this.place(temp, file);
    } catch (err) {
      return errnoOf(err) === 'EEXIST' ? { kind: 'exists' } : failure(err, file);
    } finally {
      await fs.rm(temp, { force: true });
    }
    await syncDir(this.dir);
    return { kind: 'created' };
  }

  async remove(name: string): Promise<{ readonly kind: 'removed' } | { readonly kind: 'missing' } | FileFailure> {
    const file = await this.fileOf(name);
    if (file === null) return { kind: 'missing' };
    try {
      await fs.unlink(file);
    } catch (err) {
      return errnoOf(err) === 'ENOENT' ? { kind: 'missing' } : failure(err, file);
    }
    await syncDir(this.dir);
    return { kind: 'removed' };
  }

  private target(name: string): string {
    return path.join(this.dir, `${name}.yaml`);
  }

  /** The file of `name`, a dangling link included; null when there is none. */
  private async fileOf(name: string): Promise<string | null> {
    for (const ext of SERVICE_FILE_EXTENSIONS) {
      const file = path.join(this.dir, name + ext);
      try {
        await fs.lstat(file);
        return file;
      } catch (err) {
        if (errnoOf(err) !== 'ENOENT') return file;
      }
    }
    return null;
  }

  private async place(temp: string, file: string): Promise<void> {
    try {
      await fs.link(temp, file);
    } catch (err) {
      if (!NO_LINKS.has(errnoOf(err) ?? '')) throw err;
      await fs.copyFile(temp, file, constants.COPYFILE_EXCL);
    }
  }
}
