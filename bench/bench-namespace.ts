// The bench's side of a fresh PID namespace: starts the sentinel under `unshare`, sends it requests, bounds each with a timeout.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { which } from './peers.js';

const SENTINEL = path.join(path.dirname(fileURLToPath(import.meta.url)), 'bench-sentinel.js');
const QUIT_WAIT_MS = 5000;

export interface LeftProcess {
  readonly pid: number;
  readonly state: string;
  readonly cmdline: string;
}

export interface StopResult {
  /** Whether the manager exited within the stop's time limit. */
  readonly exited: boolean;
  /** From the request (signal sent or command started) to the manager's exit. */
  readonly ms: number;
  /** For a stop by command: from its start to its own exit. */
  readonly commandMs: number | null;
  readonly left: readonly LeftProcess[];
}

export interface ExecResult {
  readonly ms: number;
  /** CPU (user + system) of the command and the descendants it waited for, in clock ticks. */
  readonly cpuTicks: number;
  readonly code: number | null;
  readonly signal: string | null;
  readonly bytes: number;
  readonly lines: number;
  readonly stderr: string;
}

export interface Usage {
  readonly rssKiB: number;
  readonly pssKiB: number;
  readonly ticks: number;
  /** CPU of every thread in ns (schedstat), main-thread voluntary context switches, thread count: see proc-usage.ts. */
  readonly cpuNs: number;
  readonly wakeups: number;
  readonly threads: number;
}

type Answer = Record<string, unknown>;

export class Namespace {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (a: Answer) => void; reject: (e: Error) => void }>();
  private exited = false;
  private stderr = '';

  private constructor(private readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => this.onLine(line));
    child.stderr!.on('data', (c: Buffer) => (this.stderr = (this.stderr + c.toString()).slice(-2000)));
    child.once('exit', () => {
      this.exited = true;
      for (const w of this.waiting.values()) w.reject(new Error(`the namespace ended early: ${this.stderr}`));
      this.waiting.clear();
    });
  }

  /**
   * PID 1 is tini when it is installed: orphans reparented to PID 1 are then reaped as in a real
   * container, so a manager that checks liveness with kill(pid, 0) is not fooled by zombies the bench
   * left unreaped. `--kill-child` ties the namespace's life to unshare's, so killing unshare ends it all.
   */
  static open(): Namespace {
    const init = which('tini');
    const inside = [process.execPath, SENTINEL];
    const child = spawn('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', ...(init === null ? inside : [init, '--', ...inside])], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return new Namespace(child);
  }

  request(op: string, args: Record<string, unknown>, timeoutMs: number): Promise<Answer> {
    if (this.exited) return Promise.reject(new Error(`the namespace has ended: ${this.stderr}`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`${op}: no answer from the namespace within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (a) => {
          clearTimeout(timer);
          resolve(a);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.stdin!.write(`${JSON.stringify({ id, op, ...args })}\n`);
    });
  }

  async start(argv: readonly string[], log: string, env: Record<string, string> = {}): Promise<number> {
    const a = await this.request('start', { argv, log, env }, 10_000);
    return a.pid as number;
  }

  async exec(argv: readonly string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<ExecResult> {
    return (await this.request('exec', { argv, env, timeoutMs }, timeoutMs + 5000)) as unknown as ExecResult;
  }

  async pidFromFile(file: string, timeoutMs = 30_000): Promise<number> {
    const a = await this.request('pidFile', { path: file, timeoutMs }, timeoutMs + 5000);
    return a.pid as number;
  }

  /** Waits until, for each entry, at least `count` live processes have `match` in their command line. */
  async waitProcs(want: readonly { match: string; count: number }[], timeoutMs: number): Promise<number> {
    const a = await this.request('waitProcs', { want, timeoutMs }, timeoutMs + 5000);
    return a.ms as number;
  }

  async group(pid: number, childComm: string | null): Promise<number[]> {
    const a = await this.request('group', childComm === null ? { pid } : { pid, childComm }, 10_000);
    return a.pids as number[];
  }

  async usage(pids: readonly number[]): Promise<Usage> {
    return (await this.request('usage', { pids }, 10_000)) as unknown as Usage;
  }

  async stop(pid: number, how: { signal: string } | { argv: readonly string[]; env?: Record<string, string> }, timeoutMs: number): Promise<StopResult> {
    return (await this.request('stop', { pid, ...how, timeoutMs }, timeoutMs * 2 + 10_000)) as unknown as StopResult;
  }

  /** Ends the namespace (its PID 1 exits, the kernel kills the rest); SIGKILL to unshare if the sentinel does not answer. */
  async close(): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin!.end(`${JSON.stringify({ id: 0, op: 'quit' })}\n`);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), QUIT_WAIT_MS);
    await done;
    clearTimeout(timer);
  }

  private onLine(line: string): void {
    let a: Answer;
    try {
      a = JSON.parse(line) as Answer;
    } catch {
      return;
    }
    const w = this.waiting.get(a.id as number);
    if (!w) return;
    this.waiting.delete(a.id as number);
    if (a.ok === true) w.resolve(a);
    else w.reject(new Error(String(a.error)));
  }
}

/** Opens a namespace, runs `fn` in it, and always ends it. */
export async function inNamespace<T>(fn: (ns: Namespace) => Promise<T>): Promise<T> {
  const ns = Namespace.open();
  try {
    return await fn(ns);
  } finally {
    await ns.close();
  }
}
