// The few libc calls an init needs (waitid, waitpid, prctl, reboot, sync, malloc_trim), bound once through koffi; the opened libc is shared with the socket calls (unix-dgram.ts).
import { createRequire } from 'node:module';
import util from 'node:util';
import type koffiModule from 'koffi';
import { messageOf } from '../errors/message-of.js';

type Koffi = typeof koffiModule;
type NativeFn = (...args: unknown[]) => unknown;

export interface Libc {
  /** The pid of one zombie child, left in place (WNOWAIT); null when there is none now (or no children at all). */
  waitidPeek(): { pid: number } | null;
  /** Reaps `pid` if it has exited; null when it is still running or is not our child. */
  waitpidNoHang(pid: number): { pid: number; status: number } | null;
  /** Makes orphans of our descendants come to us instead of to the namespace's PID 1. */
  setChildSubreaper(): void;
  /** Does not return on success; throws (EPERM without CAP_SYS_BOOT). Calls sync() first. */
  reboot(how: 'poweroff' | 'reboot' | 'halt'): void;
  sync(): void;
  getpid(): number;
  /** malloc_trim(0): free pages of every arena back to the system; false when nothing was released or this libc has no such call. */
  mallocTrim(): boolean;
}

const P_ALL = 0;
const WNOHANG = 1;
const WEXITED = 4;
const WNOWAIT = 0x01000000;
const EINTR = 4;
const ECHILD = 10;
const PR_SET_CHILD_SUBREAPER = 36;
const SC_PAGESIZE = 30;
const SIGINFO_SIZE = 128;
const SI_PID_OFFSET = 16;

const REBOOT_CMD = {
  poweroff: 0x4321fedc,
  reboot: 0x01234567,
  // Above INT32_MAX: passed as the same 32 bits, signed, because reboot(2) takes an int.
  halt: 0xcdef0123 | 0,
} as const;

interface Native {
  koffi: Koffi;
  waitid: NativeFn;
  waitpid: NativeFn;
  prctl: NativeFn;
  reboot: NativeFn;
  sync: NativeFn;
  getpid: NativeFn;
  sysconf: NativeFn;
  strerror: NativeFn;
  /** glibc only: musl has no malloc_trim. */
  mallocTrim: NativeFn | null;
}

let cached: { native: Native } | { error: string } | undefined;
let cachedLibc: Libc | undefined;
let opened: OpenedLibc | { reason: string } | undefined;

/** koffi and the C library it opened, for modules that bind calls of their own (sockets). */
export interface OpenedLibc {
  readonly koffi: Koffi;
  readonly lib: ReturnType<Koffi['load']>;
}

/** Loads koffi and opens libc once per process; a failure is returned as its reason, never thrown. */
export function openLibc(): OpenedLibc | { reason: string } {
  if (opened) return opened;
  try {
    // Loaded lazily through require so that a missing or broken native addon is an error value, not a crash at import.
    const koffi = createRequire(import.meta.url)('koffi') as Koffi;
    let lib: ReturnType<Koffi['load']>;
    try {
      lib = koffi.load('libc.so.6');
    } catch {
      // musl and other libcs: the symbols are already in the process image.
      lib = koffi.load(null);
    }
    opened = { koffi, lib };
  } catch (err) {
    opened = { reason: messageOf(err) };
  }
  return opened;
}

function loadNative(): { native: Native } | { error: string } {
  if (cached) return cached;
  const libc = openLibc();
  try {
    if ('reason' in libc) throw new Error(libc.reason);
    const { koffi, lib } = libc;
    cached = {
      native: {
        koffi,
        waitid: lib.func('int waitid(int idtype, uint32_t id, void *infop, int options)'),
        waitpid: lib.func('int waitpid(int pid, _Out_ int *status, int options)'),
        prctl: lib.func('int prctl(int option, ...)'),
        reboot: lib.func('int reboot(int cmd)'),
        sync: lib.func('void sync(void)'),
        getpid: lib.func('int getpid(void)'),
        sysconf: lib.func('long sysconf(int name)'),
        strerror: lib.func('const char *strerror(int errnum)'),
        mallocTrim: optionalFunc(lib, 'int malloc_trim(size_t pad)'),
      },
    };
  } catch (err) {
    const reason = messageOf(err);
    cached = {
      error:
        `cannot load libc through koffi (${reason}); orphaned processes will not be reaped and ` +
        'reboot/poweroff are unavailable. Reinstall dependencies without --omit=optional so that ' +
        '@koromix/koffi-linux-x64 (or the package for this platform) is present.',
    };
  }
  return cached;
}

function optionalFunc(lib: ReturnType<Koffi['load']>, signature: string): NativeFn | null {
  try {
    return lib.func(signature);
  } catch {
    return null;
  }
}

/** 'EAGAIN' for 11, …; `errno N` for a number libuv does not know (the number alone still identifies it). */
export function errnoName(errno: number): string {
  try {
    return util.getSystemErrorName(-errno);
  } catch {
    return `errno ${errno}`;
  }
}

function describeErrno(native: Native, errno: number): string {
  return `${errnoName(errno)}: ${String(native.strerror(errno))}`;
}

function bind(native: Native): Libc {
  const { koffi } = native;
  const siginfo = Buffer.alloc(SIGINFO_SIZE);
  const statusOut = [0];
  const fail = (call: string, errno: number, hint: string): Error =>
    new Error(`${call} failed (${describeErrno(native, errno)}); ${hint}`);

  return {
    waitidPeek() {
      for (;;) {
        // With WNOHANG and no zombie, waitid returns 0 and leaves the buffer alone: a stale si_pid would read as a zombie.
        siginfo.writeInt32LE(0, SI_PID_OFFSET);
        const rc = native.waitid(P_ALL, 0, siginfo, WEXITED | WNOHANG | WNOWAIT) as number;
        if (rc === 0) {
          const pid = siginfo.readInt32LE(SI_PID_OFFSET);
          return pid > 0 ? { pid } : null;
        }
        const errno = koffi.errno();
        if (errno === EINTR) continue;
        if (errno === ECHILD) return null;
        throw fail('waitid(P_ALL, WNOHANG|WNOWAIT)', errno, 'zombies cannot be inspected; this is a bug or a seccomp filter');
      }
    },

    waitpidNoHang(pid) {
      // pid <= 0 would wait for any child and steal exit statuses that libuv is waiting for.
      if (!Number.isInteger(pid) || pid <= 0) {
        throw new RangeError(`waitpidNoHang expects one positive pid, got ${pid}: waiting for any child would steal child_process exits`);
      }
      for (;;) {
        statusOut[0] = 0;
        const rc = native.waitpid(pid, statusOut, WNOHANG) as number;
        if (rc > 0) return { pid: rc, status: statusOut[0] ?? 0 };
        if (rc === 0) return null;
        const errno = koffi.errno();
        if (errno === EINTR) continue;
        if (errno === ECHILD) return null;
        throw fail(`waitpid(${pid}, WNOHANG)`, errno, 'the zombie cannot be reaped; this is a bug or a seccomp filter');
      }
    },

    setChildSubreaper() {
      const rc = native.prctl(PR_SET_CHILD_SUBREAPER, 'unsigned long', 1, 'unsigned long', 0, 'unsigned long', 0, 'unsigned long', 0) as number;
      if (rc !== 0) {
        throw fail('prctl(PR_SET_CHILD_SUBREAPER, 1)', koffi.errno(), 'orphans of services will go to PID 1 instead of being reaped here; Linux 3.4 or later is needed');
      }
    },

    reboot(how) {
      native.sync();
      const rc = native.reboot(REBOOT_CMD[how]) as number;
      if (rc !== 0) {
        throw fail(`reboot(${how})`, koffi.errno(), 'the process needs CAP_SYS_BOOT (run as root, as PID 1 of the machine or of a PID namespace)');
      }
    },

    sync() {
      native.sync();
    },

    getpid() {
      return native.getpid() as number;
    },

    mallocTrim() {
      return native.mallocTrim !== null && native.mallocTrim(0) === 1;
    },
  };
}

/** Loads libc once per process. Never throws: a failure is returned as a message for the operator. */
export function loadLibc(): { libc: Libc } | { error: string } {
  const loaded = loadNative();
  if ('error' in loaded) return loaded;
  cachedLibc ??= bind(loaded.native);
  return { libc: cachedLibc };
}

/** sysconf(_SC_PAGESIZE), or null when libc cannot be loaded. */
export function systemPageSize(): number | null {
  const loaded = loadNative();
  if ('error' in loaded) return null;
  const size = Number(loaded.native.sysconf(SC_PAGESIZE));
  return Number.isInteger(size) && size > 0 ? size : null;
}

/** A raw wait status as Node reports it: an exit code, or the number of the signal that killed the process. */
export function decodeWaitStatus(status: number): { code: number | null; signal: number | null } {
  const termSig = status & 0x7f;
  if (termSig === 0) return { code: (status >> 8) & 0xff, signal: null };
  return { code: null, signal: termSig };
}
