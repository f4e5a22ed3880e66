// Shared steps of a bench: a temp dir per run, one manager up in a fresh namespace, bounded sleeps, progress on stderr.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inNamespace, type Namespace } from './bench-namespace.js';
import { UNRELATED, type Workload } from './bench-workloads.js';
import type { Launched, Peer } from './peers.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function progress(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** Runs per figure: 3 unless ZINIT_BENCH_RUNS says otherwise (a quick look uses 1). */
export function runsFromEnv(fallback = 3): number {
  const n = Number(process.env.ZINIT_BENCH_RUNS);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** Whether this module is the script node was started with. */
export function isMain(importMetaUrl: string): boolean {
  return process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(importMetaUrl);
}

/**
 * Writes `work` for `peer` in a fresh temp dir, starts it in a fresh PID namespace, waits until all of
 * the work's processes run, then hands over; the namespace and the dir are gone when this returns.
 */
export async function withManager<T>(
  peer: Peer,
  makeWork: (dir: string) => Workload,
  opts: { readonly readyTimeoutMs: number; readonly settleMs: number },
  fn: (ns: Namespace, m: Launched, dir: string) => Promise<T>,
): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `zinit-bench-${peer.name}-`));
  try {
    return await inNamespace(async (ns) => {
      const work = makeWork(dir);
      if (work.unrelated !== undefined) await startUnrelated(ns, dir, work.unrelated, opts.readyTimeoutMs);
      const m = await peer.launch(ns, dir, work);
      try {
        await ns.waitProcs(work.ready, opts.readyTimeoutMs);
      } catch (err) {
        const log = path.join(dir, 'manager.log');
        const tail = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').slice(-600) : '';
        throw new Error(`${(err as Error).message}${tail ? `\nmanager log:\n${tail}` : ''}`, { cause: err });
      }
      await sleep(opts.settleMs);
      return fn(ns, m, dir);
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `count` sleeping processes in the namespace, children of one forking perl that the sentinel starts:
 * the rest of a busy host, never the manager's. A fork without exec costs about 165 KiB each.
 */
async function startUnrelated(ns: Namespace, dir: string, count: number, timeoutMs: number): Promise<void> {
  const script = `$0 = "${UNRELATED}"; for (1 .. ${count}) { my $p = fork(); die "fork: $!" unless defined $p; if ($p == 0) { sleep 1000000; exit 0 } } sleep 1000000;`;
  await ns.start(['perl', '-e', script], path.join(dir, 'unrelated.log'));
  await ns.waitProcs([{ match: UNRELATED, count }], timeoutMs);
}

/** What a manager left, without the unrelated processes that were never its own. */
export function ownLeft<T extends { readonly cmdline: string }>(left: readonly T[]): T[] {
  return left.filter((p) => !p.cmdline.includes(UNRELATED));
}
