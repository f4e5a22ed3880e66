// Preload for tests (node --import): at exit, appends every module the process loaded to the file named by ZINIT_TEST_LOADS.
// One per line: file: URLs of ESM and CommonJS files, node:NAME for built-ins. Node 22+ reports through synchronous hooks;
// Node 20 has only the off-thread ones (record-loads-hooks.js), which append from their own thread.
import fs from 'node:fs';
import module from 'node:module';
import { pathToFileURL } from 'node:url';

type LoadHook = (url: string, context: unknown, next: (url: string, context: unknown) => unknown) => unknown;
type RegisterHooks = (hooks: { load: LoadHook }) => unknown;

const out = process.env.ZINIT_TEST_LOADS;
if (out !== undefined && out !== '') {
  const urls: string[] = [];
  const registerHooks = (module as unknown as { registerHooks?: RegisterHooks }).registerHooks;
  if (typeof registerHooks === 'function') {
    registerHooks({
      load: (url, context, next) => {
        urls.push(url);
        return next(url, context);
      },
    });
  } else {
    module.register('./record-loads-hooks.js', import.meta.url, { data: { out } });
  }
  process.on('exit', () => {
    // require() inside CommonJS packages passes no hook on Node 20: their cache has them all.
    const cjs = Object.keys(module.createRequire(import.meta.url).cache).map((f) => pathToFileURL(f).href);
    const builtins = (process as unknown as { moduleLoadList: readonly string[] }).moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => `node:${m.slice('NativeModule '.length)}`);
    fs.appendFileSync(out, `${[...urls, ...cjs, ...builtins].join('\n')}\n`);
  });
}
