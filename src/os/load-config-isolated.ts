// Loads the config directory, or one service of it, in a short-lived process of its own: parsing never
// blocks the control socket, the YAML parser is never loaded into the daemon, a parse that runs out of
// memory dies alone, and everything it allocated goes back to the system when it exits. A worker
// thread gives the first three but not the last: V8 pools the pages of an isolate torn down in a
// worker, and on Node 26 a daemon that then idles keeps them (189 MiB of them after the
// hostile-directory test, for good).
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ParseResult } from '../config/parse-service.js';
import type { ConfigError, LoadResult, ServiceConfig } from '../config/types.js';

export type IsolatedLoadReply =
  | { readonly ok: true; readonly services: Map<string, ServiceConfig>; readonly errors: ConfigError[]; readonly warnings: ConfigError[] }
  | { readonly ok: true; readonly config: ServiceConfig | null; readonly errors: ConfigError[]; readonly warnings: ConfigError[] }
  | { readonly ok: false; readonly message: string };

/**
 * Heap of the loading process. Parsing holds one file at a time, about 90 bytes of heap per byte of
 * YAML (MAX_FILE_BYTES of 1 MiB: under 100 MiB); a loader past this limit dies alone, the daemon lives.
 */
export const CONFIG_LOADER_HEAP_MB = 256;
/** What the loader may write to stderr (a crash report) that is kept for the error. */
const STDERR_KEPT = 4096;

const LOADER = fileURLToPath(new URL('./config-load-child.js', import.meta.url));

/** The same result as loadConfigDir(dir, resolveIdentity), computed in another process; rejects as loadConfigDir would. */
export async function loadConfigDirIsolated(dir: string): Promise<LoadResult> {
  const reply = await inLoader([dir], `loading the config directory ${dir}`);
  if (!('services' in reply)) throw new Error(`loading the config directory ${dir} failed: the loader answered for one service`);
  return { services: reply.services, errors: reply.errors, warnings: reply.warnings };
}

/** The same result as loadServiceFile(dir, name, resolveIdentity), computed in another process. */
export async function loadServiceFileIsolated(dir: string, name: string): Promise<ParseResult> {
  const reply = await inLoader([dir, name], `loading service "${name}" from ${dir}`);
  if (!('config' in reply)) throw new Error(`loading service "${name}" from ${dir} failed: the loader answered for a directory`);
  return { config: reply.config, errors: reply.errors, warnings: reply.warnings };
}

type Answer = Exclude<IsolatedLoadReply, { ok: false }>;

function inLoader(args: readonly string[], what: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // Its own session: a terminal's ^C or a signal to the daemon's group is the daemon's to handle.
    const child = fork(LOADER, args, {
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
