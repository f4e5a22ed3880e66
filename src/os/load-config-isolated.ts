// Loads the config directory or one service of it (or renders or reads one file) in a short-lived process of its own: parsing never
// blocks the control socket, the YAML parser is never loaded into the daemon, a parse that runs out of
// memory dies alone, and everything it allocated goes back to the system when it exits. A worker
// thread gives the first three but not the last: V8 pools the pages of an isolate torn down in a
// worker, and on Node 26 a daemon that then idles keeps them (189 MiB of them after the
// hostile-directory test, for good).
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ParseResult } from '../config/parse-service.js';
import type { DocumentRead } from '../config/read-document.js';
import type { Rendered } from '../config/render-service.js';
import type { ConfigError, LoadResult, ServiceConfig } from '../config/types.js';

/** What the loader is asked to do: load a directory or one service, render a service's JSON as a file, or read a file as JSON. */
export type LoaderTask =
  | { readonly kind: 'dir'; readonly dir: string }
  | { readonly kind: 'service'; readonly dir: string; readonly name: string }
  | { readonly kind: 'render'; readonly name: string; readonly content: Readonly<Record<string, unknown>>; readonly file: string }
  | { readonly kind: 'read'; readonly file: string };

export type IsolatedLoadReply =
  | { readonly ok: true; readonly services: Map<string, ServiceConfig>; readonly errors: ConfigError[]; readonly warnings: ConfigError[] }
  | { readonly ok: true; readonly config: ServiceConfig | null; readonly errors: ConfigError[]; readonly warnings: ConfigError[] }
  | { readonly ok: true; readonly rendered: Rendered }
  | { readonly ok: true; readonly document: DocumentRead }
  | { readonly ok: false; readonly message: string };

/**
 * Heap of the loading process. Parsing holds one file at a time, about 90 bytes of heap per byte of
 * YAML (MAX_FILE_BYTES of 1 MiB: under 100 MiB); a loader past this limit dies alone, the daemon lives.
 */
export const CONFIG_LOADER_HEAP_MB = 256;
/** What the loader may write to stderr (a crash report) that is kept for the error. */
const STDERR_KEPT = 4096;

let loaderEntry = fileURLToPath(new URL('./config-load-child.js', import.meta.url));

/**
 * Where the loader's entry is, for a caller that knows better than this module: bundled, this code is no
 * longer beside os/ (the daemon's composition root says where the file is).
 */
export function setConfigLoaderEntry(file: string): void {
  loaderEntry = file;
}

/** The same result as loadConfigDir(dir, resolveIdentity), computed in another process; rejects as loadConfigDir would. */
export async function loadConfigDirIsolated(dir: string): Promise<LoadResult> {
  const reply = await inLoader({ kind: 'dir', dir }, `loading the config directory ${dir}`);
  if (!('services' in reply)) throw new Error(`loading the config directory ${dir} failed: the loader answered another task`);
  return { services: reply.services, errors: reply.errors, warnings: reply.warnings };
}

/** The same result as loadServiceFile(dir, name, resolveIdentity), computed in another process. */
export async function loadServiceFileIsolated(dir: string, name: string): Promise<ParseResult> {
  const reply = await inLoader({ kind: 'service', dir, name }, `loading service "${name}" from ${dir}`);
  if (!('config' in reply)) throw new Error(`loading service "${name}" from ${dir} failed: the loader answered another task`);
  return { config: reply.config, errors: reply.errors, warnings: reply.warnings };
}

/** renderService(name, content, file, resolveIdentity), computed in another process. */
export async function renderServiceIsolated(name: string, content: Readonly<Record<string, unknown>>, file: string): Promise<Rendered> {
  const reply = await inLoader({ kind: 'render', name, content, file }, `checking the content of service "${name}"`);
  if (!('rendered' in reply)) throw new Error(`checking the content of service "${name}" failed: the loader answered another task`);
  return reply.rendered;
}

/** readDocument(file), computed in another process. */
export async function readDocumentIsolated(file: string): Promise<DocumentRead> {
  const reply = await inLoader({ kind: 'read', file }, `reading ${file}`);
  if (!('document' in reply)) throw new Error(`reading ${file} failed: the loader answered another task`);
  return reply.document;
}

type Answer = Exclude<IsolatedLoadReply, { ok: false }>;

/** Loaders alive at once: each is a Node process (tens of MiB), and clients can ask for one per request; the rest wait their turn. */
export const MAX_LOADERS = 4;
let loaders = 0;
/** Each waiter is a request in flight, so their number is bounded by the control socket's own limits. */
const waiting: (() => void)[] = [];

async function inLoader(task: LoaderTask, what: string): Promise<Answer> {
  if (loaders < MAX_LOADERS) loaders += 1;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    return await runLoader(task, what);
  } finally {
    // The slot passes straight to the next in line, so no newcomer slips in between.
    const next = waiting.shift();
    if (next) next();
    else loaders -= 1;
  }
}

function runLoader(task: LoaderTask, what: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // Its own session: a terminal's ^C or a signal to the daemon's group is the daemon's to handle.
    const child = fork(loaderEntry, [task.kind], {
      execArgv: [`--max-old-space-size=${CONFIG_LOADER_HEAP_MB}`],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      detached: true,
    });
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (s: string) => {
      if (stderr.length < STDERR_KEPT) stderr = (stderr + s).slice(0, STDERR_KEPT);
    });
    let reply: IsolatedLoadReply | null = null;
    child.once('message', (m) => {
      reply = m as IsolatedLoadReply;
    });
    // A send that fails (the loader died at once) is seen as its exit without an answer.
    child.send(task, (err) => {
      if (err) child.kill('SIGKILL');
    });
    child.once('error', (err) => {
      if (reply !== null) return;
      reply = { ok: false, message: `${what} failed: ${err.message}` };
      child.kill('SIGKILL');
    });
    // Settled once the loader is gone, so a load never leaves a process behind it.
    child.once('close', (code, signal) => {
      const r: IsolatedLoadReply | null = reply;
      if (r === null) {
        const how = signal === null ? `exited with code ${code}` : `was killed by ${signal}`;
        const said = stderr.trim().split('\n').slice(-3).join(' / ');
        reject(new Error(`${what} failed: the loader ${how} before answering${said === '' ? '' : `: ${said}`}`));
      } else if (r.ok) resolve(r);
      else reject(new Error(r.message));
    });
  });
}
