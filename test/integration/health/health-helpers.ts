// Shared by the health tests: the probe server fixture and its events, start times written by `date +%s%N`,
// a service's health in `status --json`, the metrics port, and an independent sd_notify receiver (python3).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { DaemonHandle } from '../../helpers/daemon.js';
import { fixture } from '../../helpers/paths.js';
import { waitFor } from '../../helpers/wait-for.js';
import { isExecutable, onPath, PG_ROOT, postgresBin, systemUser } from '../real-daemons/binaries.js';

/** One line of the server fixture's DIR/events (see test/fixtures/health-server.js). */
export interface ServerEvent {
  readonly kind: 'listen' | 'req' | 'term';
  readonly pid: number;
  /** For `req`: the path asked and the status answered. */
  readonly path: string | null;
  readonly status: number | null;
  /** Date.now() in the server. */
  readonly at: number;
}

/**
 * The command line of the server fixture: `kind` listens on 127.0.0.1:port after `delay` ms, or once the file
 * `delay` names exists; events go to dir/events.
 */
export function serverExec(kind: 'http' | 'tcp', port: number, delay: number | string, dir: string): string {
  return `${process.execPath} ${fixture('health-server.js')} ${kind} ${port} ${delay} ${dir}`;
}

export function serverEvents(dir: string): ServerEvent[] {
  const file = path.join(dir, 'events');
  if (!fs.existsSync(file)) return [];
  const out: ServerEvent[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const f = line.split(' ');
    if (f[0] === 'listen' || f[0] === 'term') out.push({ kind: f[0], pid: Number(f[1]), path: null, status: null, at: Number(f[2]) });
    else if (f[0] === 'req') out.push({ kind: 'req', pid: Number(f[1]), path: f[2] ?? null, status: Number(f[3]), at: Number(f[4]) });
  }
  return out;
}

/** When the (first) server began listening, in ms since the epoch; null before it did. */
export function listenedAt(dir: string): number | null {
  return serverEvents(dir).find((e) => e.kind === 'listen')?.at ?? null;
}

/** A shell step that writes the current time in ns to `file` (read back with `timeIn`). */
export const writeTime = (file: string): string => `date +%s%N > ${file}`;

/** The time `writeTime` put in `file`, in ms since the epoch (with its fraction); null while there is none. */
export function timeIn(file: string): number | null {
  if (!fs.existsSync(file)) return null;
  const text = fs.readFileSync(file, 'utf8').trim();
  if (!/^\d+$/.test(text)) return null;
  const ns = BigInt(text);
  return Number(ns / 1000n) / 1000;
}

/**
 * The time `writeTime` put in `file`, waiting for it (bounded): a service is Running from its spawn, so the
 * shell step that writes its start time may still be on its way when the test sees the state.
 */
export function timeWritten(file: string, what: string): Promise<number> {
  return waitFor(() => timeIn(file), 10_000, `the time ${what} wrote to ${path.basename(file)}`);
}

/** When the (first) server began listening, waiting for the record (bounded). */
export function listenedBy(dir: string): Promise<number> {
  return waitFor(() => listenedAt(dir), 10_000, `the server's listen record in ${dir}/events`);
}

export interface HealthJson {
  readonly probeError: string | null;
  readonly liveFailures: number;
  readonly liveRestarts: number;
  readonly statusText: string | null;
}

export interface StatusWithHealth {
  readonly name: string;
  readonly pid: number;
  readonly state: string;
  readonly target: string;
  readonly exit: { code: number | null; signal: string | null } | null;
  readonly restarts: number;
  readonly health: HealthJson;
}

/** `status NAME --json`, health included. */
export async function healthStatus(d: DaemonHandle, name: string): Promise<StatusWithHealth> {
  const r = await d.cli(['status', name, '--json']);
  if (r.code !== 0) throw new Error(`status ${name} failed: ${r.stderr}`);
  const s = JSON.parse(r.stdout) as StatusWithHealth;
  if (typeof s.health !== 'object' || s.health === null) throw new Error(`status ${name} has no health: ${r.stdout}`);
  return s;
}

/** The port `--metrics 127.0.0.1:0` was given, from the daemon's log. */
export function metricsPort(d: DaemonHandle): number {
  const port = Number(/metrics served .*port=(\d+)/.exec(d.output())?.[1]);
  if (!(port > 0)) throw new Error(`no metrics port in the daemon's log:\n${d.output()}`);
  return port;
}

/** The value of series `name` for one service in Prometheus text; null when absent. */
export function seriesValue(text: string, name: string, service: string): number | null {
  const m = new RegExp(`^${name}\\{service="${service}"\\} (\\S+)$`, 'm').exec(text);
  return m?.[1] === undefined ? null : Number(m[1]);
}

/** Environment of a live process as a map, from /proc/PID/environ. */
export function environOf(pid: number): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) out.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return out;
}


/** What a test runs beside the manager; a missing one fails the test with the Debian package to install. */
export interface Tools {
  readonly python3: string;
  readonly systemdNotify: string;
}

export function requireTools(): Tools {
  // Debian's own python3 first: a version manager's shim on PATH can take a second to start.
  const python3 = isExecutable('/usr/bin/python3') ? '/usr/bin/python3' : onPath('python3');
  const systemdNotify = onPath('systemd-notify');
  const missing: string[] = [];
  if (python3 === null) missing.push('python3 (Debian package python3)');
  if (systemdNotify === null) missing.push('systemd-notify (Debian package systemd)');
  if (python3 === null || systemdNotify === null) throw new Error(`health test needs: ${missing.join('; ')}. Install with: apt-get install -y python3 systemd`);
  return { python3, systemdNotify };
}

export interface ServerBinaries {
  readonly postgres: string;
  readonly initdb: string;
  readonly pgIsready: string;
  readonly postgresUser: { readonly uid: number; readonly gid: number };
  readonly redisServer: string;
  readonly redisCli: string;
}

/** PostgreSQL and Redis from Debian, or one error naming each missing package. */
export function requireServers(): ServerBinaries {
  const pg = postgresBin();
  const user = systemUser('postgres');
  const redisServer = onPath('redis-server');
  const redisCli = onPath('redis-cli');
  if (pg === null || user === null || redisServer === null || redisCli === null) {
    const missing = [
      ...(pg === null ? [`initdb, postgres, pg_isready and psql under ${PG_ROOT}/*/bin (Debian package postgresql)`] : []),
      ...(user === null ? ['the postgres system user (Debian package postgresql)'] : []),
      ...(redisServer === null ? ['redis-server (Debian package redis-server)'] : []),
      ...(redisCli === null ? ['redis-cli (Debian package redis-tools, a dependency of redis-server)'] : []),
    ];
    throw new Error(`health test needs: ${missing.join('; ')}. Install with: apt-get install -y postgresql redis-server`);
  }
  return { postgres: path.join(pg, 'postgres'), initdb: path.join(pg, 'initdb'), pgIsready: path.join(pg, 'pg_isready'), postgresUser: user, redisServer, redisCli };
}

/** One datagram as the receiver got it: when (ms since the epoch) and what. */
export interface NotifyMessage {
  readonly at: number;
  readonly text: string;
}

export interface NotifyReceiver {
  readonly socket: string;
  messages(): NotifyMessage[];
  stop(): Promise<void>;
}

/** Binds `socket` (a path) in a python3 process of its own and records every datagram it receives. */
export async function startNotifyReceiver(python3: string, socket: string): Promise<NotifyReceiver> {
  const out = `${socket}.received`;
  fs.writeFileSync(out, '');
  const child: ChildProcess = spawn(python3, [fixture('notify-receiver.py'), socket, out], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let exited = false;
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exit.then(() => (exited = true));
  await waitFor(() => exited || fs.existsSync(socket), 10_000, 'the notify receiver to bind its socket');
  if (exited) throw new Error(`the notify receiver exited: ${stderr}`);
  return {
    socket,
    messages: () =>
      fs
        .readFileSync(out, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as NotifyMessage),
    stop: async () => {
      if (!exited) child.kill('SIGKILL');
      await waitFor(() => exited, 5000, 'the notify receiver to exit');
    },
  };
}
