// Unix datagram sockets through koffi (Node has none): non-blocking, close-on-exec, abstract or path addresses, signal-driven arrival (O_ASYNC).
import { messageOf } from '../errors/message-of.js';
import { NotifyError } from '../errors/notify-errors.js';
import { errnoName, openLibc, type OpenedLibc } from './libc.js';

type NativeFn = (...args: unknown[]) => unknown;

export interface UnixDgram {
  /** socket(AF_UNIX, SOCK_DGRAM|SOCK_NONBLOCK|SOCK_CLOEXEC, 0). */
  socket(): number;
  /** Binds `fd` to `address` ('@name' in the abstract namespace, or an absolute path). */
  bind(fd: number, address: string): void;
  /** Makes the kernel send SIGIO to this process whenever a datagram arrives (F_SETOWN, then O_ASYNC). */
  signalOnArrival(fd: number): void;
  /**
   * One datagram into `buf`: its full length (larger than `buf` when it was truncated), or null when none
   * is waiting. Never blocks. File descriptors passed along (SCM_RIGHTS) are closed by the kernel, not received.
   */
  recv(fd: number, buf: Buffer): number | null;
  /** One datagram to `address`; false when it was dropped because the receiver's queue is full (EAGAIN). */
  sendTo(fd: number, data: Buffer, address: string): boolean;
  close(fd: number): void;
}

const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const F_GETFL = 3;
const F_SETFL = 4;
const F_SETOWN = 8;
const O_ASYNC = 0o20000;
const MSG_TRUNC = 0x20;
const MSG_DONTWAIT = 0x40;
const MSG_NOSIGNAL = 0x4000;
const EINTR = 4;
const EAGAIN = 11;
/** sizeof(struct sockaddr_un): a 2-byte family, then sun_path[108]. */
const SOCKADDR_UN_SIZE = 110;
const SUN_PATH_SIZE = 108;

interface Native {
  opened: OpenedLibc;
  socket: NativeFn;
  bind: NativeFn;
  fcntl: NativeFn;
  recv: NativeFn;
  sendto: NativeFn;
  close: NativeFn;
  strerror: NativeFn;
}

let cached: UnixDgram | { reason: string } | undefined;

/** Binds the calls once per process. Never throws: a failure is returned as its reason. */
export function loadUnixDgram(): { dgram: UnixDgram } | { reason: string } {
  if (!cached) {
    const libc = openLibc();
    if ('reason' in libc) {
      cached = { reason: libc.reason };
    } else {
      try {
        const { lib } = libc;
        cached = bind({
          opened: libc,
          socket: lib.func('int socket(int domain, int type, int protocol)'),
          bind: lib.func('int bind(int fd, const void *addr, uint32_t addrlen)'),
          fcntl: lib.func('int fcntl(int fd, int cmd, ...)'),
          recv: lib.func('long recv(int fd, void *buf, size_t len, int flags)'),
          sendto: lib.func('long sendto(int fd, const void *buf, size_t len, int flags, const void *addr, uint32_t addrlen)'),
          close: lib.func('int close(int fd)'),
          strerror: lib.func('const char *strerror(int errnum)'),
        });
      } catch (err) {
        cached = { reason: messageOf(err) };
      }
    }
  }
  return 'reason' in cached ? cached : { dgram: cached };
}

/** The loaded calls, or NotifyError NOTIFY_UNAVAILABLE saying why there are none. */
export function requireUnixDgram(): UnixDgram {
  const loaded = loadUnixDgram();
  if ('dgram' in loaded) return loaded.dgram;
  throw new NotifyError(
    'NOTIFY_UNAVAILABLE',
    `unix datagram sockets need koffi, which cannot be loaded (${loaded.reason}); reinstall dependencies without --omit=optional`,
  );
}

/**
 * struct sockaddr_un for `address` and its length: '@name' is abstract (NUL first byte, no terminating NUL,
 * the length counts exactly the name), '/path' is a file (NUL-terminated).
 */
export function sockaddrUn(address: string): { addr: Buffer; length: number } {
  const abstract = address.startsWith('@');
  if (!abstract && !address.startsWith('/')) {
    throw new NotifyError('NOTIFY_ADDRESS_INVALID', `socket address ${JSON.stringify(address)} is neither an absolute path nor '@name'`);
  }
  const name = Buffer.from(abstract ? address.slice(1) : address, 'utf8');
  // Abstract: NUL + name fill at most sun_path; path: name + NUL.
  if (name.length + 1 > SUN_PATH_SIZE || name.length === 0 || name.includes(0)) {
    throw new NotifyError(
      'NOTIFY_ADDRESS_INVALID',
      `socket address ${JSON.stringify(address)} does not fit sun_path (at most ${SUN_PATH_SIZE - 1} bytes, no NUL)`,
    );
  }
  const addr = Buffer.alloc(SOCKADDR_UN_SIZE);
  addr.writeUInt16LE(AF_UNIX, 0);
  name.copy(addr, abstract ? 3 : 2);
  return { addr, length: 2 + 1 + name.length };
}

function bind(native: Native): UnixDgram {
  const { koffi } = native.opened;
  const fail = (call: string, errno: number): NotifyError => {
    const name = errnoName(errno);
    return new NotifyError('NOTIFY_SOCKET_FAILED', `${call} failed (${name}: ${String(native.strerror(errno))})`, name);
  };
  return {
    socket() {
      const fd = native.socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0) as number;
      if (fd < 0) throw fail('socket(AF_UNIX, SOCK_DGRAM)', koffi.errno());
      return fd;
    },

    bind(fd, address) {
      const { addr, length } = sockaddrUn(address);
      if ((native.bind(fd, addr, length) as number) !== 0) throw fail(`bind(${address})`, koffi.errno());
    },

    signalOnArrival(fd) {
      // Owner first: O_ASYNC without an owner sends nothing, and SIGIO must go to this process only.
      if ((native.fcntl(fd, F_SETOWN, 'int', process.pid) as number) !== 0) throw fail('fcntl(F_SETOWN)', koffi.errno());
      const flags = native.fcntl(fd, F_GETFL) as number;
      if (flags < 0) throw fail('fcntl(F_GETFL)', koffi.errno());
      if ((native.fcntl(fd, F_SETFL, 'int', flags | O_ASYNC) as number) !== 0) throw fail('fcntl(F_SETFL, O_ASYNC)', koffi.errno());
    },

    recv(fd, buf) {
      for (;;) {
        // MSG_TRUNC: the return value is the datagram's real length even when buf is shorter.
        const n = Number(native.recv(fd, buf, buf.length, MSG_DONTWAIT | MSG_TRUNC));
        if (n >= 0) return n;
        const errno = koffi.errno();
        if (errno === EINTR) continue;
        if (errno === EAGAIN) return null;
        throw fail('recv', errno);
      }
    },

    sendTo(fd, data, address) {
      const { addr, length } = sockaddrUn(address);
      for (;;) {
        const n = Number(native.sendto(fd, data, data.length, MSG_DONTWAIT | MSG_NOSIGNAL, addr, length));
        if (n >= 0) return true;
        const errno = koffi.errno();
        if (errno === EINTR) continue;
        if (errno === EAGAIN) return false;
        throw fail(`sendto(${address})`, errno);
      }
    },

    close(fd) {
      // Linux releases the descriptor even when close reports EINTR: never retried.
      native.close(fd);
    },
  };
}
