// service_create, service_get, service_delete: the service files of the config directory, as zinit answers for them.
import { formatConfigError } from '../../config/format-error.js';
import { ServiceAlreadyExistsError, ServiceContentError, ServiceFileError, ServiceFileMissingError } from '../../errors/errors.js';
import type { HandlerDeps, HandlerGroup } from './handler-deps.js';
import { checkServiceName } from './service-name-check.js';

/**
 * Like zinit, these touch files only: create never starts the service (monitor does), delete
 * leaves a loaded service running, get reads the file as it is now. Unlike zinit, create checks
 * the content as `check` would and writes the file whole or not at all.
 */
export function serviceFileHandlers(d: HandlerDeps): HandlerGroup<'service_create' | 'service_get' | 'service_delete'> {
  const files = d.serviceFiles;
  return {
    service_create: async (p) => {
      checkServiceName('creating service', p.name);
      if (await files.exists(p.name)) throw new ServiceAlreadyExistsError(p.name);
      const rendered = await files.render(p.name, p.content);
      if (rendered.errors.length > 0) throw ServiceContentError.invalid(p.name, rendered.errors.map(formatConfigError));
      const written = await files.create(p.name, rendered.text);
      if (written.kind === 'exists') throw new ServiceAlreadyExistsError(p.name);
      if (written.kind === 'failed') throw new ServiceFileError('creating service file', p.name, `failed to create service file: ${written.detail}`);
      return `Service '${p.name}' created successfully`;
    },
    service_get: async (p) => {
      checkServiceName('getting service', p.name);
      const read = await files.read(p.name);
      switch (read.kind) {
        case 'content':
          return read.value;
        case 'missing':
          throw new ServiceFileMissingError(p.name, 'get');
        case 'not-yaml':
          throw ServiceContentError.unparsable(p.name, read.detail);
        case 'failed':
          throw new ServiceFileError('reading service file', p.name, `failed to read service file: ${read.detail}`);
      }
    },
    service_delete: async (p) => {
      checkServiceName('deleting service', p.name);
      const removed = await files.remove(p.name);
      if (removed.kind === 'missing') throw new ServiceFileMissingError(p.name, 'delete');
      if (removed.kind === 'failed') throw new ServiceFileError('deleting service file', p.name, `failed to delete service file: ${removed.detail}`);
      return `Service '${p.name}' deleted successfully`;
    },
  };
}
