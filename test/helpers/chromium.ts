// A real headless Chromium that loads one page and hands back its DOM once its scripts have settled; always bounded, always killed.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CHROMIUM = '/usr/bin/chromium';

export interface Browser {
  /** Loads `url` and resolves with the serialized DOM after the page's network and timers settled (virtual time). */
  dumpDom(url: string, timeoutMs?: number): Promise<string>;
  /** Kills every process of a browser still running and removes its profile. */
  kill(): void;
}

/** Fails with what to install when Chromium is not there: the test must not pass by skipping. */
export function requireChromium(): void {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install the Debian package chromium (scripts/test-prerequisites.sh does it as root)`);
  }
}

export function browser(): Browser {
  let child: ChildProcess | null = null;
  let profile: string | null = null;
  const kill = (): void => {
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        // Its own process group: the renderer, GPU and zygote processes go with it.
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone already */
      }
    }
    child = null;
    if (profile !== null) fs.rmSync(profile, { recursive: true, force: true });
    profile = null;
  };
  return {
    kill,
    dumpDom(url, timeoutMs = 60_000) {
      requireChromium();
      profile = fs.mkdtempSync(path.join(os.tmpdir(), 'zinit-ts-chromium-'));
      const args = [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${profile}`,
        // Virtual time does not advance while a fetch is pending: the budget waits for every one.
        '--virtual-time-budget=10000',
        '--dump-dom',
        url,
      ];
      const started = spawn(CHROMIUM, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      child = started;
      let out = '';
      let err = '';
      started.stdout?.on('data', (b: Buffer) => (out += b.toString()));
      started.stderr?.on('data', (b: Buffer) => (err += b.toString()));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          kill();
          reject(new Error(`chromium did not finish within ${timeoutMs} ms; stderr:\n${err.slice(-2000)}`));
        }, timeoutMs);
        started.once('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
        started.once('exit', (code) => {
          clearTimeout(timer);
          if (code === 0) resolve(out);
          else reject(new Error(`chromium exited with ${code}; stderr:\n${err.slice(-2000)}`));
        });
      });
    },
  };
}

/** The text of the element with this id in a dumped DOM, entities decoded. */
export function textOf(dom: string, id: string): string | null {
  const m = new RegExp(`<[a-z]+ id="${id}">([\\s\\S]*?)</[a-z]+>`).exec(dom);
  if (m === null) return null;
  return (m[1] ?? '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}
