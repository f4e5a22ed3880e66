// Real senders and receivers of unix datagrams for the notify tests (python3's socket module), and where a socket of ours is.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { within } from '../../unit/os/bounded.js';
import { waitFor } from '../../helpers/wait-for.js';

/** Python's view of a NOTIFY_SOCKET value: '@name' is the abstract '\0name'. */
const PY_ADDRESS = "a = sys.argv[1]\na = '\\0' + a[1:] if a.startswith('@') else a\n";

/** Isolated, without site: faster to start, and nothing from the environment changes it. */
const PY_FLAGS = ['-I', '-S'];

export interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end (bounded), without blocking this event loop meanwhile. */
export async function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env, ms = 20_000): Promise<Finished> {
  const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
  child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  const code = await within(
    new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c))),
    ms,
    `${file} ${args.join(' ')} to finish`,
  );
  return { code, stdout, stderr };
}

/** Sends each payload as one datagram to `address` ('@name' or a path), from another process; `repeat` times over. */
export async function sendDatagrams(address: string, payloads: readonly string[], repeat = 1): Promise<Finished> {
  const script =
    'import socket, sys, json\n' +
    PY_ADDRESS +
    's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\n' +
    'msgs = [m.encode() for m in json.loads(sys.argv[2])]\n' +
    'for _ in range(int(sys.argv[3])):\n' +
    '    for m in msgs: s.sendto(m, a)\n';
  return run('python3', [...PY_FLAGS, '-c', script, address, JSON.stringify(payloads), String(repeat)]);
}

/** A python process bound to `address` that prints 'bound', then the repr of each datagram it receives. */
export interface PyReceiver {
  readonly child: ChildProcess;
  readonly received: () => string;
  stop(): Promise<void>;
}

export async function pythonReceiver(address: string): Promise<PyReceiver> {
  const script =
    'import socket, sys\n' +
    PY_ADDRESS +
    's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\n' +
    's.bind(a)\n' +
    "print('bound', flush=True)\n" +
    'while True:\n' +
    '    print(repr(s.recv(65536)), flush=True)\n';
  const child = spawn('python3', [...PY_FLAGS, '-c', script, address], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (t: string) => (out += t));
  await waitFor(() => out.startsWith('bound\n'), 10_000, `python to bind ${address}`);
  return {
    child,
    received: () => out.slice('bound\n'.length),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await waitFor(() => child.exitCode !== null || child.signalCode !== null, 5000, 'the python receiver to exit');
    },
  };
}

/** Abstract names bound right now in this network namespace, from /proc/net/unix ('@name' → inode). */
export function abstractSockets(): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of fs.readFileSync('/proc/net/unix', 'utf8').split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    const inode = Number(cols[6]);
    const name = cols[7];
    if (name?.startsWith('@')) found.set(name, inode);
  }
  return found;
}

/** Our file descriptor for the socket bound to `address`, found through /proc (no access to the module's insides). */
export function fdOfAbstract(address: string): number {
  const inode = abstractSockets().get(address);
  if (inode === undefined) throw new Error(`${address} is not bound`);
  for (const name of fs.readdirSync('/proc/self/fd')) {
    try {
      if (fs.readlinkSync(`/proc/self/fd/${name}`) === `socket:[${inode}]`) return Number(name);
    } catch {
      // Closed between readdir and readlink.
    }
  }
  throw new Error(`${address} (inode ${inode}) is not open in this process`);
}

/** The file status flags of one of our descriptors (octal 'flags:' of /proc/self/fdinfo). */
export function fdFlags(fd: number): number {
  const m = /^flags:\s+([0-7]+)$/m.exec(fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
  if (!m?.[1]) throw new Error(`no flags for fd ${fd}`);
  return parseInt(m[1], 8);
}

export const O_NONBLOCK = 0o4000;
export const O_ASYNC = 0o20000;
export const O_CLOEXEC = 0o2000000;
