// Finds whether cgroup mode can run here and which cgroup v2 directory the daemon owns: pure parsers of /proc texts plus one reader.
import fs from 'node:fs';
import path from 'node:path';
import { errnoOf } from '../errors/errno.js';

/** One mounted cgroup2 filesystem, from /proc/self/mountinfo. */
export interface Cgroup2Mount {
  /** Where it is mounted (unescaped). */
  readonly mountPoint: string;
  /** The cgroup of the hierarchy shown at the mount point ('/' unless a subtree is bind-mounted or another cgroup namespace mounted it). */
  readonly root: string;
  /** Mounted read-only (per-mount or superblock option `ro`). */
  readonly readOnly: boolean;
}

/** Where our own cgroup is in the filesystem. */
export interface CgroupLocation {
  readonly dir: string;
  readonly mount: Cgroup2Mount;
}

export type CgroupDetection =
  /** `base`: the directory zinit-ts owns (its services' cgroups go under it); `own`: the directory of the daemon's own cgroup. */
  | { readonly mode: 'cgroup'; readonly base: string; readonly own: string }
  /** No cgroup mode; `why` is one sentence for the log and status, saying how to get it. */
  | { readonly mode: 'proc'; readonly why: string }
  /** An explicit `--cgroup PATH` that cannot be used: the daemon refuses to start. */
  | { readonly mode: 'error'; readonly why: string };

export interface DetectOptions {
  /** `auto`, `off`, or an absolute PATH of the directory to own. */
  readonly setting: string;
  /** Where procfs is mounted; /proc unless a test says otherwise. */
  readonly procRoot?: string;
  /** The daemon's pid as its own cgroup.procs lists it; process.pid by default. */
  readonly selfPid?: number;
  /** From cgroupInstanceKey(socket): names the base the daemon makes when it cannot own its cgroup. */
  readonly instanceKey: string;
  /** Child cgroups of our own cgroup that a daemon made (so they do not stop us owning it); default: names starting with `zinit-ts`. */
  readonly isOurs?: (name: string) => boolean;
}

/** The path of our cgroup in the v2 hierarchy: the `0::PATH` line of /proc/self/cgroup, or null (v1 only). */
export function parseOwnCgroup(text: string): string | null {
  for (const line of text.split('\n')) {
    if (line.startsWith('0::')) {
      const p = line.slice(3);
      return p.startsWith('/') ? p : null;
    }
  }
  return null;
}

/**
 * Every cgroup2 mount in a mountinfo text. A line is: id parent maj:min root mountpoint options
 * [optional fields…] - fstype source superoptions; the optional fields are why the type is found after the
 * `-` separator and not at a fixed index.
 */
export function parseCgroup2Mounts(mountinfoText: string): Cgroup2Mount[] {
  const mounts: Cgroup2Mount[] = [];
  for (const line of mountinfoText.split('\n')) {
    const fields = line.split(' ');
    const sep = fields.indexOf('-', 6);
    if (sep < 0) continue;
    const [root, mountPoint, mountOptions] = [fields[3], fields[4], fields[5]];
    const [fsType, superOptions] = [fields[sep + 1], fields[sep + 3]];
    if (fsType !== 'cgroup2' || root === undefined || mountPoint === undefined) continue;
    const ro = (opts: string | undefined): boolean => (opts ?? '').split(',').includes('ro');
    mounts.push({ mountPoint: unescapeMountinfo(mountPoint), root: unescapeMountinfo(root), readOnly: ro(mountOptions) || ro(superOptions) });
  }
  return mounts;
}

/** The kernel writes space, tab, newline and backslash in mountinfo paths as \ooo octal escapes. */
function unescapeMountinfo(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** True when `prefix` is `p` or a whole-component ancestor of it (`/a` is one of `/a/b`, not of `/ab`). */
function isPathPrefix(prefix: string, p: string): boolean {
  if (prefix === '/') return p.startsWith('/');
  return p === prefix || p.startsWith(`${prefix}/`);
}

/**
 * The directory of the cgroup `own` (a path in the v2 hierarchy): under a mount whose root contains it,
 * a read-write one first, then the one showing the deepest subtree. null when no mount shows it (a path
 * outside our cgroup namespace reads `/..`).
 */
export function locateCgroup(own: string, mounts: readonly Cgroup2Mount[]): CgroupLocation | null {
  if (own.split('/').includes('..')) return null;
  const fits = mounts.filter((m) => isPathPrefix(m.root, own));
  fits.sort((a, b) => Number(a.readOnly) - Number(b.readOnly) || b.root.length - a.root.length);
  const mount = fits[0];
  if (mount === undefined) return null;
  const rest = mount.root === '/' ? own : own.slice(mount.root.length);
  // path.join keeps a trailing slash ('/mnt' + '/' = '/mnt/'); the cgroup at the mount point is the mount point.
  return { dir: rest === '' || rest === '/' ? mount.mountPoint : path.join(mount.mountPoint, rest), mount };
}

/** A short key for one control socket: 12 hex digits of a 64-bit FNV-1a hash of its absolute path. */
export function cgroupInstanceKey(socketPath: string): string {
  // FNV-1a, 64 bits: stable across runs and Node versions, and node:crypto stays out of the daemon.
  let h = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(path.resolve(socketPath))) h = BigInt.asUintN(64, (h ^ BigInt(byte)) * 0x100000001b3n);
  return h.toString(16).padStart(16, '0').slice(0, 12);
}

let trialSeq = 0;

/** Reads /proc, tries the filesystem, and says which cgroup directory the daemon owns (or why none). */
export function detectCgroup(opts: DetectOptions): CgroupDetection {
  if (opts.setting === 'off') {
    return { mode: 'proc', why: 'cgroup mode is off (--cgroup off); start without that option to give each service a cgroup of its own.' };
  }
  const procRoot = opts.procRoot ?? '/proc';
  const explicit = opts.setting !== 'auto';
  const fail = (why: string): CgroupDetection => (explicit ? { mode: 'error', why } : { mode: 'proc', why });
  if (explicit && !path.isAbsolute(opts.setting)) return fail(`--cgroup ${opts.setting}: the path must be absolute (or use auto or off).`);

  const cgroupText = readText(path.join(procRoot, 'self', 'cgroup'));
  const mountinfoText = readText(path.join(procRoot, 'self', 'mountinfo'));
  if (cgroupText === null || mountinfoText === null) return fail(`cannot read ${procRoot}/self/cgroup and mountinfo; mount procfs (mount -t proc proc /proc) for cgroup mode.`);
  const ownPath = parseOwnCgroup(cgroupText);
  if (ownPath === null) {
    return fail(
      'no cgroup v2 hierarchy (this host mounts only cgroup v1); boot with systemd.unified_cgroup_hierarchy=1 or mount one (mount -t cgroup2 none /sys/fs/cgroup) for cgroup mode.',
    );
  }
  const mounts = parseCgroup2Mounts(mountinfoText);
  const own = locateCgroup(ownPath, mounts);
  if (own === null) {
    return fail(
      `our cgroup ${ownPath} is in no mounted cgroup2 filesystem; mount one (mount -t cgroup2 none /sys/fs/cgroup) or run in a cgroup namespace of our own for cgroup mode.`,
    );
  }

  if (explicit) {
    const base = path.normalize(opts.setting);
    const mount = mounts
      .filter((m) => isPathPrefix(m.mountPoint, base))
      .sort((a, b) => Number(a.readOnly) - Number(b.readOnly) || b.mountPoint.length - a.mountPoint.length)[0];
    if (mount === undefined) return fail(`--cgroup ${base}: not inside a mounted cgroup2 filesystem (${mountList(mounts)}).`);
    if (mount.readOnly) return fail(`--cgroup ${base}: the cgroup filesystem at ${mount.mountPoint} is mounted read-only; remount it read-write (mount -o remount,rw ${mount.mountPoint}).`);
    const made = makeBase(base);
    if (made !== null) return fail(`--cgroup ${base}: ${made}; create it or pass a directory inside an existing cgroup.`);
    const problem = writeProblem(base);
    if (problem !== null) return fail(`--cgroup ${base}: ${problem}; run as root or delegate it (systemd: Delegate=yes).`);
    return { mode: 'cgroup', base, own: own.dir };
  }

  if (own.mount.readOnly) {
    return fail(
      'the cgroup filesystem is mounted read-only (Docker and Kubernetes do this by default); give the container a writable one, e.g. docker run --cgroupns=private --privileged, or mount -o remount,rw /sys/fs/cgroup with CAP_SYS_ADMIN, for cgroup mode.',
    );
  }
  const problem = writeProblem(own.dir);
  if (problem !== null) {
    return fail(`our cgroup ${own.dir}: ${problem}; run as root, delegate it (systemd: Delegate=yes), or pass --cgroup PATH of a writable cgroup for cgroup mode.`);
  }
  const isOurs = opts.isOurs ?? ((name: string) => name.startsWith('zinit-ts'));
  return { mode: 'cgroup', base: ownsAlone(own.dir, opts.selfPid ?? process.pid, isOurs) ? own.dir : path.join(own.dir, `zinit-ts-${opts.instanceKey}`), own: own.dir };
}

/**
 * True when the cgroup holds no process but us and no cgroup someone else made: a container's root
 * cgroup, a systemd unit with Delegate=yes. Taking any other cgroup whole would move or kill processes
 * that are not ours.
 */
function ownsAlone(dir: string, selfPid: number, isOurs: (name: string) => boolean): boolean {
  let procs: string;
  let entries: fs.Dirent[];
  try {
    procs = fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8');
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return false;
  }
  const pids = procs.split('\n').filter((l) => l !== '');
  if (pids.length !== 1 || pids[0] !== String(selfPid)) return false;
  // A daemon that owns this cgroup sits in its manager/: alive, the cgroup is its, not ours to take over.
  if (managerHolders(dir, selfPid).length > 0) return false;
  return entries.every((e) => !e.isDirectory() || isOurs(e.name));
}

/**
 * The processes other than `selfPid` in `base`/manager: a daemon running there (the daemon's own cgroup, and
 * anything it runs before its services, such as its config loader). Empty when there is none or no such cgroup.
 */
export function managerHolders(base: string, selfPid: number = process.pid): string[] {
  try {
    return fs
      .readFileSync(path.join(base, 'manager', 'cgroup.procs'), 'utf8')
      .split('\n')
      .filter((l) => l !== '' && l !== String(selfPid));
  } catch {
    return [];
  }
}

/** Creates `dir` (one level) when missing; the reason it cannot be, or null. */
function makeBase(dir: string): string | null {
  try {
    if (fs.statSync(dir).isDirectory()) return null;
    return 'exists and is not a directory';
  } catch (err) {
    if (errnoOf(err) !== 'ENOENT') return `cannot be read (${errnoOf(err) ?? 'error'})`;
  }
  try {
    fs.mkdirSync(dir);
    return null;
  } catch (err) {
    return `does not exist and cannot be created (${errnoOf(err) ?? 'error'})`;
  }
}

/**
 * Why we cannot make cgroups in `dir`, or null. access(2) alone is not enough: a read-only bind mount, a
 * delegation that stops at the directory (cgroup.max.descendants) or an LSM refuses only the mkdir itself,
 * so a uniquely named cgroup is made and removed.
 */
function writeProblem(dir: string): string | null {
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (err) {
    return `not writable by us (${errnoOf(err) ?? 'error'})`;
  }
  const trial = path.join(dir, `zinit-ts-probe-${process.pid}-${trialSeq++}`);
  try {
    fs.mkdirSync(trial);
  } catch (err) {
    return `a cgroup cannot be made in it (${errnoOf(err) ?? 'error'})`;
  }
  try {
    fs.rmdirSync(trial);
  } catch (err) {
    return `a trial cgroup ${trial} cannot be removed (${errnoOf(err) ?? 'error'})`;
  }
  return null;
}

function mountList(mounts: readonly Cgroup2Mount[]): string {
  return mounts.length === 0 ? 'none is mounted' : `mounted at ${mounts.map((m) => m.mountPoint).join(', ')}`;
}

/** A /proc file's text, or null when it cannot be read (procfs not mounted). */
function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}
