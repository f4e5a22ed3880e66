// User and group names to numeric ids, and a uid's account (name, home, shell), from /etc/passwd and /etc/group (no NSS, no shelling out to `id`).
import fs from 'node:fs';

/** What a login would set from the passwd entry: USER and LOGNAME, HOME, SHELL. */
export interface Account {
  readonly name: string;
  readonly home: string;
  readonly shell: string;
}

interface Database {
  users: Map<string, number>;
  groups: Map<string, number>;
  primaryGroup: Map<number, number>;
  accounts: Map<number, Account>;
}

const databases = new Map<string, Database>();
// (uid_t)-1 means "unchanged" to setuid(2) and friends, so it is never a real id.
const MAX_ID = 0xfffffffe;

function readLines(file: string): string[] {
  try {
    return fs.readFileSync(file, 'utf8').split('\n');
  } catch (err) {
    // Slim images may lack /etc/group entirely: names then do not resolve, numeric ids still do.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

function parseId(text: string | undefined): number | null {
  if (text === undefined || !/^\d+$/.test(text)) return null;
  const id = Number(text);
  return id <= MAX_ID ? id : null;
}

function load(etc: string): Database {
  const cached = databases.get(etc);
  if (cached) return cached;
  const db: Database = { users: new Map(), groups: new Map(), primaryGroup: new Map(), accounts: new Map() };
  for (const line of readLines(`${etc}/passwd`)) {
    // name:password:uid:gid:gecos:home:shell
    const [name, , uidText, gidText, , home, shell] = line.split(':');
    const uid = parseId(uidText);
    const gid = parseId(gidText);
    if (!name || name.startsWith('#') || uid === null || gid === null) continue;
    // The first entry wins, as getpwnam(3) does with duplicate names.
    if (!db.users.has(name)) db.users.set(name, uid);
    if (!db.primaryGroup.has(uid)) db.primaryGroup.set(uid, gid);
    // As login(1) does with empty fields: / for the home, /bin/sh for the shell.
    if (!db.accounts.has(uid)) db.accounts.set(uid, { name, home: home || '/', shell: shell || '/bin/sh' });
  }
  for (const line of readLines(`${etc}/group`)) {
    // name:password:gid:members
    const [name, , gidText] = line.split(':');
    const gid = parseId(gidText);
    if (!name || name.startsWith('#') || gid === null) continue;
    if (!db.groups.has(name)) db.groups.set(name, gid);
  }
  databases.set(etc, db);
  return db;
}

/** A name or a numeric id to an id; null when the name is unknown. Files are read once per process. */
export function resolveIdentity(kind: 'user' | 'group', value: string, etc = '/etc'): number | null {
  const numeric = parseId(value);
  if (numeric !== null) return numeric;
  const db = load(etc);
  return (kind === 'user' ? db.users : db.groups).get(value) ?? null;
}

/** The gid in the user's /etc/passwd entry; null when the uid has no entry. */
export function primaryGroupOf(uid: number, etc = '/etc'): number | null {
  return load(etc).primaryGroup.get(uid) ?? null;
}

/** The first /etc/passwd entry of `uid`, as getpwuid(3) finds it; null when the uid has none. */
export function accountOf(uid: number, etc = '/etc'): Account | null {
  return load(etc).accounts.get(uid) ?? null;
}
