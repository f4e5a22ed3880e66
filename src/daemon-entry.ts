// The daemon as `init` loads it. `npm run build` replaces this file's output with one bundle of the daemon's
// modules (scripts/bundle-cli.ts): Node's module loader then reads one file instead of about 120.
export { runDaemon, type DaemonOptions } from './daemon.js';
