// Inside a bench's fresh PID namespace (under a reaping PID 1): runs a manager and its commands on request (JSON lines on stdin/stdout), times its stop and counts what it left.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { threadUsage } from './proc-usage.js';

interface Proc {
  readonly pid: number;
  readonly ppid: number;
  readonly state: string;
  readonly comm: string;
  readonly ticks: number;
}

type Request = Record<string, unknown> & { id: number; op: string };

const POLL_MS = 2;
const exits = new Map<number, { code: number | null; signal: string | null; at: number }>();

function readProc(pid: number): Proc | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const rest = stat.slice(close + 2).split(' ');
    return {
      pid,
      comm: stat.slice(stat.indexOf('(') + 1, close),
      state: rest[0] ?? '?',
      ppid: Number(rest[1]),
      ticks: Number(rest[11]) + Number(rest[12]),
    };
  } catch {
    return null;
  }
}

function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** Live processes of the namespace but its init and this one (zombies are dead: only their parent has not reaped them). */
function live(exclude: ReadonlySet<number> = new Set()): Proc[] {
  const out: Proc[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || d === '1' || Number(d) === process.pid || exclude.has(Number(d))) continue;
    const p = readProc(Number(d));
    if (p && p.state !== 'Z' && p.state !== 'X') out.push(p);
  }
  return out;
}

function gone(pid: number): boolean {
  if (exits.has(pid)) return true;
  const p = readProc(pid);
  return p === null || p.state === 'Z' || p.state === 'X';
}

function kib(text: string, key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

function str(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new Error(`${what}: expected a string`);
  return v;
}

function num(v: unknown, what: string): number {
  if (typeof v !== 'number') throw new Error(`${what}: expected a number`);
  return v;
}

function argvOf(v: unknown): [string, ...string[]] {
  if (!Array.isArray(v) || v.length === 0 || !v.every((a) => typeof a === 'string')) throw new Error('argv: expected a non-empty string array');
  return v as [string, ...string[]];
}

function envOf(v: unknown): NodeJS.ProcessEnv {
  return { ...process.env, ...(typeof v === 'object' && v !== null ? (v as Record<string, string>) : {}) };
}

function track(child: ChildProcess): void {
  const pid = child.pid;
  if (pid === undefined) return;
  child.once('exit', (code, signal) => exits.set(pid, { code, signal, at: performance.now() }));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(pred: () => boolean, timeoutMs: number, pollMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!pred()) {
    if (performance.now() > deadline) return false;
    await sleep(pollMs);
  }
  return true;
}

function start(req: Request): Record<string, unknown> {
  const log = fs.openSync(str(req.log, 'log'), 'a');
  const [cmd, ...args] = argvOf(req.argv);
  const child = spawn(cmd, args, { stdio: ['ignore', log, log], env: envOf(req.env), cwd: typeof req.cwd === 'string' ? req.cwd : '/' });
  fs.closeSync(log);
  track(child);
  if (child.pid === undefined) throw new Error(`cannot start ${cmd}`);
  return { pid: child.pid };
}

/** CPU ticks of this process's children that it has waited for (cutime + cstime): a command's own CPU, load or not. */
function childTicks(): number {
  const rest = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
  return Number(rest[13]) + Number(rest[14]);
}

async function exec(req: Request): Promise<Record<string, unknown>> {
  const [cmd, ...args] = argvOf(req.argv);
  const timeoutMs = num(req.timeoutMs, 'timeoutMs');
  const ticks0 = childTicks();
  const t0 = performance.now();
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: envOf(req.env) });
  let bytes = 0;
  let lines = 0;
  let errTail = '';
  child.stdout.on('data', (c: Buffer) => {
    bytes += c.length;
    for (const b of c) if (b === 10) lines += 1;
  });
  child.stderr.on('data', (c: Buffer) => (errTail = (errTail + c.toString()).slice(-400)));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => {
    child.once('error', (err) => resolve([null, err.message]));
    child.once('close', (c, s) => resolve([c, s]));
  });
  const ms = performance.now() - t0;
  clearTimeout(timer);
  return { ms, cpuTicks: childTicks() - ticks0, code, signal, bytes, lines, stderr: errTail };
}

async function pidFile(req: Request): Promise<Record<string, unknown>> {
  const file = str(req.path, 'path');
  let pid = 0;
  const found = await until(
    () => {
      try {
        pid = Number(fs.readFileSync(file, 'utf8').trim());
      } catch {
        return false;
      }
      return pid > 0 && !gone(pid);
    },
    num(req.timeoutMs, 'timeoutMs'),
    20,
  );
  if (!found) throw new Error(`no live pid in ${file}`);
  return { pid };
}

async function waitProcs(req: Request): Promise<Record<string, unknown>> {
  const want = req.want as { match: string; count: number }[];
  const t0 = performance.now();
  let counts: number[] = [];
  const ok = await until(
    () => {
      const all = live().map((p) => cmdline(p.pid));
      counts = want.map((w) => all.filter((c) => c.includes(w.match)).length);
      return counts.every((n, i) => n >= (want[i]?.count ?? 0));
    },
    num(req.timeoutMs, 'timeoutMs'),
    100,
  );
  if (!ok) throw new Error(`processes not there in time: ${want.map((w, i) => `${w.match} ${counts[i]}/${w.count}`).join(', ')}`);
  return { ms: performance.now() - t0, counts };
}

function group(req: Request): Record<string, unknown> {
  const pid = num(req.pid, 'pid');
  const childComm = typeof req.childComm === 'string' ? req.childComm : null;
  const kids = childComm === null ? [] : live().filter((p) => p.ppid === pid && p.comm === childComm);
  return { pids: [pid, ...kids.map((p) => p.pid)] };
}

function usage(req: Request): Record<string, unknown> {
  let rssKiB = 0;
  let pssKiB = 0;
  let ticks = 0;
  let cpuNs = 0;
  let wakeups = 0;
  let threads = 0;
  for (const pid of req.pids as number[]) {
    const smaps = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    rssKiB += kib(smaps, 'Rss');
    pssKiB += kib(smaps, 'Pss');
    ticks += readProc(pid)?.ticks ?? 0;
    const t = threadUsage(pid);
    cpuNs += t.cpuNs;
    wakeups += t.wakeups;
    threads += t.threads;
  }
  return { rssKiB, pssKiB, ticks, cpuNs, wakeups, threads };
}

async function stop(req: Request): Promise<Record<string, unknown>> {
  const pid = num(req.pid, 'pid');
  const timeoutMs = num(req.timeoutMs, 'timeoutMs');
  if (gone(pid)) throw new Error(`the manager (pid ${pid}) had already exited: ${JSON.stringify(exits.get(pid) ?? null)}`);
  let command: ChildProcess | null = null;
  const t0 = performance.now();
  if (typeof req.signal === 'string') {
    process.kill(pid, req.signal);
  } else {
    const [cmd, ...args] = argvOf(req.argv);
    command = spawn(cmd, args, { stdio: 'ignore', env: envOf(req.env) });
    track(command);
  }
  const exited = await until(() => gone(pid), timeoutMs, POLL_MS);
  const t1 = exits.get(pid)?.at ?? performance.now();
  const left = live(new Set(command?.pid === undefined ? [] : [command.pid])).map((p) => ({ pid: p.pid, state: p.state, cmdline: cmdline(p.pid) }));
  let commandMs: number | null = null;
  if (command?.pid !== undefined) {
    const cpid = command.pid;
    await until(() => exits.has(cpid), timeoutMs, POLL_MS);
    commandMs = (exits.get(cpid)?.at ?? Number.NaN) - t0;
  }
  return { exited, ms: t1 - t0, commandMs, exit: exits.get(pid) ?? null, left };
}

async function handle(req: Request): Promise<Record<string, unknown>> {
  switch (req.op) {
    case 'start':
      return start(req);
    case 'exec':
      return exec(req);
    case 'pidFile':
      return pidFile(req);
    case 'waitProcs':
      return waitProcs(req);
    case 'group':
      return group(req);
    case 'usage':
      return usage(req);
    case 'stop':
      return stop(req);
    case 'left':
      return { left: live().map((p) => ({ pid: p.pid, state: p.state, cmdline: cmdline(p.pid) })) };
    case 'quit':
      // PID 1 exits with this process, and the kernel then kills whatever is left in the namespace.
      process.exit(0);
    // falls through (process.exit never returns)
    default:
      throw new Error(`unknown op ${req.op}`);
  }
}

function main(): void {
  // Without an init in front, this is PID 1; either way a stray TERM from a manager's kill sweep must not end the bench.
  for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(s, () => undefined);
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    let req: Request;
    try {
      req = JSON.parse(line) as Request;
    } catch {
      return;
    }
    handle(req).then(
      (res) => process.stdout.write(`${JSON.stringify({ id: req.id, ok: true, ...res })}\n`),
      (err: unknown) => process.stdout.write(`${JSON.stringify({ id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) })}\n`),
    );
  });
  // The bench is gone: end the namespace with it.
  rl.on('close', () => process.exit(0));
}

main();
