// The real stack in one temp dir: a PostgreSQL cluster, Redis with an AOF, nginx with two workers, and their service files.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { fixture } from '../../helpers/paths.js';
import type { Binaries } from './binaries.js';

const run = promisify(execFile);

export interface Stack {
  readonly dir: string;
  readonly bin: Binaries;
  readonly pgPort: number;
  readonly redisPort: number;
  readonly nginxPort: number;
  /** The writer's record of what was acknowledged: see test/fixtures/real-writer.js. */
  readonly writerState: string;
  readonly pgData: string;
  readonly redisDir: string;
  readonly logDir: string;
}

export interface WriterState {
  readonly ready: boolean;
  readonly pg: number;
  readonly redis: number;
  readonly nginx: number;
}

/** Lays out `dir` (owned by postgres, which must reach its socket and data) and creates the cluster with initdb. */
export async function prepareStack(dir: string, bin: Binaries, ports: readonly number[]): Promise<Stack> {
  const [pgPort, redisPort, nginxPort] = ports;
  if (pgPort === undefined || redisPort === undefined || nginxPort === undefined) throw new Error('three ports are needed');
  const { uid, gid } = bin.postgresUser;
  fs.chownSync(dir, uid, gid);
  const stack: Stack = {
    dir,
    bin,
    pgPort,
    redisPort,
    nginxPort,
    writerState: path.join(dir, 'writer.json'),
    pgData: path.join(dir, 'pgdata'),
    redisDir: path.join(dir, 'redis'),
    logDir: path.join(dir, 'logs'),
  };
  for (const d of [stack.redisDir, stack.logDir, path.join(dir, 'nginx', 'temp')]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(dir, 'nginx', 'nginx.conf'), nginxConf(stack));
  await run(bin.initdb, ['-D', stack.pgData, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'], { uid, gid, cwd: dir, timeout: 60_000 });
  return stack;
}

function nginxConf(s: Stack): string {
  const n = path.join(s.dir, 'nginx');
  return [
    'worker_processes 2;',
    'daemon off;',
    `pid ${n}/nginx.pid;`,
    'error_log stderr notice;',
    'events { worker_connections 64; }',
    'http {',
    '  access_log off;',
    '  default_type text/plain;',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${n}/temp/${t};`),
    `  server { listen 127.0.0.1:${s.nginxPort}; location / { return 200 "ok\\n"; } }`,
    '}',
    '',
  ].join('\n');
}

const yaml = (fields: Record<string, string | number | boolean | readonly string[] | Record<string, string>>): string =>
  `${Object.entries(fields)
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
    .join('\n')}\n`;

/** Foreground PostgreSQL as postgres; SIGINT is its documented fast shutdown (SIGTERM would wait for clients). */
export function postgresService(s: Stack, logName: string): string {
  return yaml({
    exec: `${s.bin.postgres} -D ${s.pgData} -k ${s.dir} -p ${s.pgPort} -c listen_addresses=127.0.0.1`,
    test: `${s.bin.pgIsready} -h ${s.dir} -p ${s.pgPort} -U postgres -d postgres`,
    user: 'postgres',
    signal: { stop: 'SIGINT' },
    log: 'file',
    log_file: path.join(s.logDir, logName),
  });
}

/** Redis in the foreground with an fsynced append-only file; SIGTERM is its documented save-and-exit. */
export function redisService(s: Stack, logName: string): string {
  return yaml({
    exec: `${s.bin.redisServer} --port ${s.redisPort} --bind 127.0.0.1 --dir ${s.redisDir} --appendonly yes --appendfsync always --daemonize no`,
    test: `${s.bin.redisCli} -p ${s.redisPort} ping`,
    log: 'file',
    log_file: path.join(s.logDir, logName),
  });
}

export function stackServices(s: Stack): Record<string, string> {
  const psql = `${s.bin.psql} -h ${s.dir} -p ${s.pgPort} -U postgres -d postgres -v ON_ERROR_STOP=1`;
  return {
    postgres: postgresService(s, 'postgres-1.log'),
    redis: redisService(s, 'redis-1.log'),
    // SIGQUIT is nginx's graceful shutdown: workers finish their requests, then the master exits.
    nginx: yaml({
      exec: `${s.bin.nginx} -c ${path.join(s.dir, 'nginx', 'nginx.conf')} -e stderr`,
      test: `${s.bin.curl} -sf -o /dev/null http://127.0.0.1:${s.nginxPort}/`,
      signal: { stop: 'SIGQUIT' },
      log: 'file',
      log_file: path.join(s.logDir, 'nginx.log'),
    }),
    schema: yaml({ exec: `${psql} -c "CREATE TABLE writes (n integer PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())"`, oneshot: true, after: ['postgres'] }),
    writer: yaml({
      exec: `${process.execPath} ${fixture('real-writer.js')} ${s.writerState} ${s.bin.psql} ${s.dir} ${s.pgPort} ${s.redisPort} ${s.nginxPort}`,
      after: ['schema', 'redis', 'nginx'],
      log: 'file',
      log_file: path.join(s.logDir, 'writer.log'),
    }),
  };
}

export function readWriterState(s: Stack): WriterState | null {
  try {
    return JSON.parse(fs.readFileSync(s.writerState, 'utf8')) as WriterState;
  } catch {
    return null;
  }
}

export function readLog(s: Stack, name: string): string {
  const file = path.join(s.logDir, name);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
}

/** psql from the test against the cluster (over its unix socket), tuples only. */
export async function query(s: Stack, sql: string): Promise<string> {
  const { stdout } = await run(s.bin.psql, ['-h', s.dir, '-p', String(s.pgPort), '-U', 'postgres', '-d', 'postgres', '-qtAX', '-v', 'ON_ERROR_STOP=1', '-c', sql], { timeout: 15_000 });
  return stdout.trim();
}

export async function redisGet(s: Stack, key: string): Promise<string> {
  const { stdout } = await run(s.bin.redisCli, ['-p', String(s.redisPort), 'GET', key], { timeout: 15_000 });
  return stdout.trim();
}
