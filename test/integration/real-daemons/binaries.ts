// Finds the real servers and clients from Debian packages; a missing one fails with the package to install.
import fs from 'node:fs';
import path from 'node:path';

export interface Binaries {
  readonly initdb: string;
  readonly postgres: string;
  readonly pgIsready: string;
  readonly psql: string;
  readonly redisServer: string;
  readonly redisCli: string;
  readonly nginx: string;
  readonly curl: string;
  readonly postgresUser: { readonly uid: number; readonly gid: number };
}

export const PG_ROOT = '/usr/lib/postgresql';

/** The newest /usr/lib/postgresql/N/bin that has the server and its clients. */
export function postgresBin(): string | null {
  if (!fs.existsSync(PG_ROOT)) return null;
  const versions = fs
    .readdirSync(PG_ROOT)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const bin = path.join(PG_ROOT, v, 'bin');
    if (['initdb', 'postgres', 'pg_isready', 'psql'].every((b) => isExecutable(path.join(bin, b)))) return bin;
  }
  return null;
}

export function onPath(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
  for (const d of dirs) {
    const p = path.join(d, name);
    if (d !== '' && isExecutable(p)) return p;
  }
  return null;
}

export function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

export function systemUser(name: string): { uid: number; gid: number } | null {
  for (const line of fs.readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined) return { uid: Number(uid), gid: Number(gid) };
  }
  return null;
}

/** Every binary the test runs, or one error naming each missing Debian package. */
export function requireBinaries(): Binaries {
  const missing: string[] = [];
  const need = <T>(value: T | null, what: string, pkg: string): T => {
    if (value === null) missing.push(`${what} (Debian package ${pkg})`);
    return value as T;
  };
  const pg = need(postgresBin(), `initdb, postgres, pg_isready and psql under ${PG_ROOT}/*/bin`, 'postgresql');
  const found: Binaries = {
    initdb: pg && path.join(pg, 'initdb'),
    postgres: pg && path.join(pg, 'postgres'),
    pgIsready: pg && path.join(pg, 'pg_isready'),
    psql: pg && path.join(pg, 'psql'),
    postgresUser: need(systemUser('postgres'), 'the postgres system user', 'postgresql'),
    redisServer: need(onPath('redis-server'), 'redis-server', 'redis-server'),
    redisCli: need(onPath('redis-cli'), 'redis-cli', 'redis-tools, a dependency of redis-server'),
    nginx: need(onPath('nginx'), 'nginx', 'nginx'),
    curl: need(onPath('curl'), 'curl', 'curl'),
  };
  need(onPath('unshare'), 'unshare', 'util-linux');
  if (missing.length > 0) {
    throw new Error(`real-daemon test needs: ${missing.join('; ')}. Install with: apt-get install -y postgresql redis-server nginx curl util-linux`);
  }
  return found;
}
