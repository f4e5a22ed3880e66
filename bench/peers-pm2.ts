// pm2 under test: an ecosystem file started by `pm2 start`; the manager is the God daemon; stopped by `pm2 kill`. Installed into a temp prefix when missing.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { which, type Peer, type Probe } from './peers.js';

const PREFIX = '/tmp/zinit-bench-pm2';
const INSTALL_TIMEOUT_MS = 300_000;

let found: Promise<{ bin: string; version: string } | { why: string }> | null = null;

function versionNear(bin: string): string {
  // bin/pm2 lives in the package's own folder, whether reached through node_modules/.bin or a global link.
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(fs.realpathSync(bin)), '..', 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown version';
  } catch {
    return 'unknown version';
  }
}

function install(): Promise<string | null> {
  process.stderr.write(`pm2: installing into ${PREFIX} (npm install --prefix ${PREFIX} pm2)\n`);
  return new Promise((resolve) => {
    execFile('npm', ['install', '--prefix', PREFIX, '--no-audit', '--no-fund', '--loglevel=error', 'pm2'], { timeout: INSTALL_TIMEOUT_MS }, (err, _out, stderr) => {
      resolve(err ? `npm install failed: ${(stderr || err.message).trim().split('\n').slice(-1)[0] ?? ''}` : null);
    });
  });
}

async function locate(): Promise<{ bin: string; version: string } | { why: string }> {
  const local = path.join(PREFIX, 'node_modules', '.bin', 'pm2');
  let bin = which('pm2') ?? (fs.existsSync(local) ? local : null);
  if (bin === null) {
    const failed = await install();
    if (failed !== null) return { why: failed };
    bin = fs.existsSync(local) ? local : null;
  }
  return bin === null ? { why: 'pm2 not found after install' } : { bin, version: versionNear(bin) };
}

function pm2Env(home: string): Record<string, string> {
  // pm2's launcher is `#!/usr/bin/env node`: make sure this node is the one found. Its stop signal is
  // SIGINT unless PM2_KILL_SIGNAL says otherwise, and background children of a shell ignore SIGINT:
  // every manager gets to send the same SIGTERM.
  return { PM2_HOME: home, PM2_KILL_SIGNAL: 'SIGTERM', PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}` };
}

export const pm2Peer: Peer = {
  name: 'pm2',
  probe: async (): Promise<Probe> => {
    found ??= locate();
    const f = await found;
    return 'bin' in f ? { present: true, version: f.version } : { present: false, why: f.why };
  },
  launch: async (ns, dir, work) => {
    found ??= locate();
    const f = await found;
    if (!('bin' in f)) throw new Error(f.why);
    const home = path.join(dir, 'pm2-home');
    const env = pm2Env(home);
    const eco = path.join(dir, 'ecosystem.json');
    const apps = work.services.map((s) => ({
      name: s.name,
      script: s.argv[0],
      args: s.argv.slice(1),
      interpreter: 'none',
      exec_mode: 'fork',
      autorestart: true,
      ...(work.graceMs === null ? {} : { kill_timeout: work.graceMs }),
    }));
    fs.writeFileSync(eco, JSON.stringify({ apps }, null, 1));
    const started = await ns.exec([f.bin, 'start', eco], env, 180_000);
    if (started.code !== 0) throw new Error(`pm2 start failed (${started.code}): ${started.stderr}`);
    const pid = await ns.pidFromFile(path.join(home, 'pm2.pid'));
    return {
      pid,
      stop: { argv: [f.bin, 'kill'], env },
      stopLabel: '`pm2 kill` (until the daemon exits)',
      measuredPids: () => Promise.resolve([pid]),
      statusCommand: { argv: [f.bin, 'jlist'], env },
    };
  },
};
