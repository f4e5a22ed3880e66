// Service files in memory, for the create/get/delete handlers: what they would write, find and remove.
import type { ConfigError } from '../../src/config/types.js';
import type { FileFailure, RenderedService, ServiceFileRead, ServiceFilesPort } from '../../src/ipc/methods/service-files-port.js';

export class FakeServiceFiles implements ServiceFilesPort {
  /** name → the text written (JSON here, standing for the YAML). */
  readonly files = new Map<string, string>();
  /** What the parser would find in a content; nothing by default. */
  problems: (name: string, content: Readonly<Record<string, unknown>>) => ConfigError[] = () => [];
  /** Set: every write, read and removal fails with it. */
  failure: string | null = null;
  /** Set: a file of that name appears between the existence check and the write, as another writer's would. */
  racedBy: string | null = null;
  readonly rendered: string[] = [];

  exists(name: string): Promise<boolean> {
    return Promise.resolve(this.files.has(name));
  }

  read(name: string): Promise<ServiceFileRead> {
    if (this.failure !== null) return Promise.resolve(this.failed());
    const text = this.files.get(name);
    if (text === undefined) return Promise.resolve({ kind: 'missing' });
    if (!text.startsWith('{')) return Promise.resolve({ kind: 'not-yaml', detail: `${name}.yaml:1:1: not YAML` });
    return Promise.resolve({ kind: 'content', value: JSON.parse(text) as Record<string, unknown> });
  }

  render(name: string, content: Readonly<Record<string, unknown>>): Promise<RenderedService> {
    this.rendered.push(name);
    return Promise.resolve({ text: JSON.stringify(content), errors: this.problems(name, content) });
  }

  create(name: string, text: string): Promise<{ readonly kind: 'created' } | { readonly kind: 'exists' } | FileFailure> {
    if (this.failure !== null) return Promise.resolve(this.failed());
    if (this.racedBy === name) this.files.set(name, '{"exec":"other"}');
    if (this.files.has(name)) return Promise.resolve({ kind: 'exists' });
    this.files.set(name, text);
    return Promise.resolve({ kind: 'created' });
  }

  remove(name: string): Promise<{ readonly kind: 'removed' } | { readonly kind: 'missing' } | FileFailure> {
    if (this.failure !== null) return Promise.resolve(this.failed());
    return Promise.resolve(this.files.delete(name) ? { kind: 'removed' } : { kind: 'missing' });
  }

  private failed(): FileFailure {
    return { kind: 'failed', detail: this.failure ?? '' };
  }
}
