// The config directory's service files as create, get and delete see them; the daemon implements it in os/, tests with fakes.
import type { ConfigError } from '../../config/types.js';

/** The system refused a read, write or removal; `detail` says what it answered and of which file. */
export interface FileFailure {
  readonly kind: 'failed';
  readonly detail: string;
}

export type ServiceFileRead =
  /** The file's YAML as JSON: a mapping of its keys. */
  | { readonly kind: 'content'; readonly value: Readonly<Record<string, unknown>> }
  | { readonly kind: 'missing' }
  /** Not YAML, or not a mapping; `detail` says where and why. */
  | { readonly kind: 'not-yaml'; readonly detail: string }
  | FileFailure;

export interface RenderedService {
  /** The YAML that would be written. */
  readonly text: string;
  /** What the service parser finds in it, each placed in the file it would be. */
  readonly errors: readonly ConfigError[];
}

export interface ServiceFilesPort {
  /** Whether the directory holds a file for `name` (<name>.yaml or <name>.yml, a dangling link included). */
  exists(name: string): Promise<boolean>;
  /** The file of `name` parsed as YAML and nothing more, as zinit gives it. */
  read(name: string): Promise<ServiceFileRead>;
  /** `content` as YAML, checked by the parser `check` uses, off the main thread. */
  render(name: string, content: Readonly<Record<string, unknown>>): Promise<RenderedService>;
  /** Writes <name>.yaml whole or not at all, never over a file already there. */
  create(name: string, text: string): Promise<{ readonly kind: 'created' } | { readonly kind: 'exists' } | FileFailure>;
  /** Removes the file of `name`. */
  remove(name: string): Promise<{ readonly kind: 'removed' } | { readonly kind: 'missing' } | FileFailure>;
}
