// `notify: systemd`: one abstract unix datagram socket per run of a service, read when the kernel signals an arrival (SIGIO), never blocking the event loop.
import type { NotifyChannel, NotifyPort } from '../supervisor/ports.js';
import { NotifyError } from '../errors/notify-errors.js';
import { requireUnixDgram, type UnixDgram } from './unix-dgram.js';

/*
 * How arrivals are noticed. Node has no unix datagram sockets and a blocking read would stall the event
 * loop, so each socket is non-blocking and marked O_ASYNC with this process as its owner: the kernel sends
 * SIGIO on every arrival, libuv turns the signal into an event-loop callback, and that callback schedules a
 * pass (setImmediate, so any number of signals in one turn of the loop make one pass) that reads every open
 * socket until EAGAIN, at most NOTIFY_READS_PER_PASS datagrams from each per turn; a socket with more is
 * read again on the next turn. No thread, no timer, nothing done while no service talks. Standard signals
 * coalesce, which loses nothing: one SIGIO after an arrival is enough, since reading goes on until empty.
 *
 * The SIGIO listener is installed before the first socket is marked O_ASYNC (SIGIO's default action ends
 * the process) and is kept for the life of the process, even when no socket is open: removing it would
 * make a late or stray SIGIO (`kill -IO`) fatal, and keeping it costs nothing (signal listeners do not keep
 * the event loop alive; with no socket open a pass reads nothing).
 *
 * Who may send: anyone who can reach the socket (systemd's NotifyAccess=all). Abstract names have no file
 * permissions, so services running as another user can send; so can any other process in the same network
 * namespace that learns the name. The sender's credentials (SO_PASSCRED) are not checked.
 */

/** Longest datagram read whole; a longer one is cut to this and reported through onWarning. */
export const NOTIFY_DATAGRAM_MAX = 4096;
/** Datagrams read from one socket per pass, at most one pass per turn of the event loop (a flooding service cannot starve it). */
export const NOTIFY_READS_PER_PASS = 256;
/** Datagrams read from a socket as it closes. */
const CLOSE_READS_MAX = 1024;
/** sun_path holds 108 bytes; an abstract name uses the first for its NUL. */
const MAX_NAME_BYTES = 107;
/** Other names tried when one is taken (another manager in the same network namespace with the same pid). */
const BIND_ATTEMPTS = 16;

export interface NotifySocketsOptions {
  /** First part of every socket's name; default `zinit-ts/<pid>`. Each name adds `/<counter>/<service>`. */
  readonly prefix?: string;
  /** Datagrams read from one socket per pass (default NOTIFY_READS_PER_PASS). */
  readonly readsPerPass?: number;
  /** Something the operator should know: a truncated datagram, a socket that failed to read. */
  readonly onWarning?: (service: string, message: string) => void;
  /** The socket calls; default the real ones through koffi. */
  readonly dgram?: () => UnixDgram;
}

/** A NotifyChannel and the socket's name, as in NOTIFY_SOCKET. */
export interface NotifySocket extends NotifyChannel {
  readonly address: string;
  /** Delivers what is already queued (onMessage may run inside this call), then closes; safe to call twice. */
  close(): void;
}

/** Newline-separated KEY=VALUE lines; later keys win; lines without a valid key and '=' are ignored. */
export function parseNotifyMessage(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0 || line.includes('\0')) continue;
    const key = line.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) continue;
    fields.set(key, line.slice(eq + 1));
  }
  return fields;
}

/** FNV-1a, 32 bits, as 8 hex digits: a short stable stand-in for a name too long to keep whole. */
function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** `<prefix>/<counter>/<service>`, the service cut and hashed when the whole would pass 107 bytes. */
export function notifySocketName(prefix: string, counter: number, service: string): string {
  const head = `${prefix}/${counter}/`;
  const whole = head + service;
  if (Buffer.byteLength(whole) <= MAX_NAME_BYTES) return whole;
  const tail = `~${shortHash(service)}`;
  const room = MAX_NAME_BYTES - Buffer.byteLength(head) - tail.length;
  if (room < 0) throw new NotifyError('NOTIFY_ADDRESS_INVALID', `notify socket prefix ${JSON.stringify(prefix)} is too long`);
  // Cut on a character boundary.
  let kept = '';
  for (const ch of service) {
    if (Buffer.byteLength(kept + ch) > room) break;
    kept += ch;
  }
  return head + kept + tail;
}

/** Binds `fd` to the first name of `next()` that is free. */
function bindFresh(dgram: UnixDgram, fd: number, next: () => string): string {
  for (let attempt = 1; ; attempt++) {
    const address = next();
    try {
      dgram.bind(fd, address);
      return address;
    } catch (err) {
      if (!(err instanceof NotifyError) || err.errno !== 'EADDRINUSE' || attempt >= BIND_ATTEMPTS) throw err;
    }
  }
}

interface Open {
  readonly service: string;
  readonly fd: number;
  readonly onMessage: (fields: ReadonlyMap<string, string>) => void;
  open: boolean;
}

export interface NotifySockets extends NotifyPort {
  /** `onMessage` runs on the event loop (from a pass, or inside close()); it should not throw. */
  open(service: string, onMessage: (fields: ReadonlyMap<string, string>) => void): NotifySocket;
}

export function createNotifySockets(opts: NotifySocketsOptions = {}): NotifySockets {
  const prefix = opts.prefix ?? `zinit-ts/${process.pid}`;
  const perPass = Math.max(1, opts.readsPerPass ?? NOTIFY_READS_PER_PASS);
  const warn = opts.onWarning ?? (() => undefined);
  const loadDgram = opts.dgram ?? requireUnixDgram;
  const sockets = new Set<Open>();
  // Sockets to read on the next pass: all of them after a SIGIO, and those that still had datagrams when
  // their last pass ended. One pass per turn of the event loop, whatever the number of signals in that turn.
  const due = new Set<Open>();
  let passScheduled = false;
  let counter = 0;
  let dgram: UnixDgram | undefined;
  let buf: Buffer | undefined;

  /** Reads up to `limit` datagrams; true when the socket may hold more. */
  const readSome = (s: Open, limit: number): boolean => {
    if (!dgram || !buf) return false;
    for (let i = 0; i < limit; i++) {
      if (!s.open) return false;
      let n: number | null;
      try {
        n = dgram.recv(s.fd, buf);
      } catch (err) {
        warn(s.service, `reading its notify socket failed: ${(err as Error).message}`);
        return false;
      }
      if (n === null) return false;
      if (n > buf.length) warn(s.service, `a notify datagram of ${n} bytes was cut to its first ${buf.length}`);
      const fields = parseNotifyMessage(buf.toString('utf8', 0, Math.min(n, buf.length)));
      if (fields.size === 0) continue;
      try {
        s.onMessage(fields);
      } catch (err) {
        // A bug in a listener must not end the daemon (which may be PID 1) from a SIGIO pass.
        warn(s.service, `its notification could not be handled: ${(err as Error).message}`);
      }
    }
    return true;
  };

  const pass = (): void => {
    passScheduled = false;
    for (const s of [...due]) {
      if (!readSome(s, perPass)) due.delete(s);
    }
    if (due.size > 0) schedule();
  };

  const schedule = (): void => {
    if (passScheduled) return;
    passScheduled = true;
    setImmediate(pass);
  };

  const onSigio = (): void => {
    for (const s of sockets) due.add(s);
    schedule();
  };

  return {
    open(service, onMessage) {
      dgram ??= loadDgram();
      buf ??= Buffer.alloc(NOTIFY_DATAGRAM_MAX);
      // Before any O_ASYNC: the default action of SIGIO ends the process. Installed once, kept (see above).
      if (!process.listeners('SIGIO').includes(onSigio)) process.on('SIGIO', onSigio);
      const fd = dgram.socket();
      let address: string;
      try {
        address = bindFresh(dgram, fd, () => `@${notifySocketName(prefix, ++counter, service)}`);
        dgram.signalOnArrival(fd);
      } catch (err) {
        dgram.close(fd);
        throw err;
      }
      const s: Open = { service, fd, onMessage, open: true };
      sockets.add(s);
      // Anything that came between bind and O_ASYNC raised no signal.
      due.add(s);
      schedule();
      const d = dgram;
      return {
        address,
        env: { NOTIFY_SOCKET: address },
        close() {
          if (!s.open) return;
          // What arrived before close is delivered now, even if its signal is still on the way; bounded, as a
          // sender may keep writing meanwhile (the kernel queues about net.unix.max_dgram_qlen datagrams: 10 by
          // default, 512 where systemd's sysctl settings apply).
          readSome(s, CLOSE_READS_MAX);
          s.open = false;
          sockets.delete(s);
          due.delete(s);
          d.close(fd);
        },
      };
    },
  };
}
