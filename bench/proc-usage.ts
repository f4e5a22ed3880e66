// What an idle process costs, read from /proc: RSS, CPU of all its threads in ns, and its main thread's wake-ups.
import fs from 'node:fs';

export interface ThreadUsage {
  readonly rssKiB: number;
  /** Time on CPU of every thread, from /proc/PID/task/TID/schedstat (ns, not 10 ms ticks). */
  readonly cpuNs: number;
  /** voluntary_ctxt_switches of the main thread: each is the event loop going to sleep, so one per wake-up. */
  readonly wakeups: number;
  readonly threads: number;
}

function field(text: string, name: string): number {
  const m = new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

export function threadUsage(pid: number): ThreadUsage {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  let cpuNs = 0;
  let threads = 0;
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      cpuNs += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      threads += 1;
    } catch {
      // A thread that ended between the listing and the read has nothing more to add.
    }
  }
  return { rssKiB: field(status, 'VmRSS'), cpuNs, wakeups: field(status, 'voluntary_ctxt_switches'), threads };
}
