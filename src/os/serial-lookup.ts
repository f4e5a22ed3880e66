// Name lookups for probes one at a time: getaddrinfo runs on libuv's threadpool, which file I/O shares, and cannot be cancelled.
import dns from 'node:dns';
import type net from 'node:net';

/** Lookups waiting behind the running one; past this a probe fails at once instead of queueing. */
export const MAX_WAITING_LOOKUPS = 64;

type Lookup = net.LookupFunction;

/**
 * A lookup for net.connect that runs at most one `inner` lookup at a time, so a resolver that
 * hangs holds one threadpool thread, never all four (which would stall the log files' writes).
 * A probe whose own timeout passes while it waits fails as usual; its lookup still runs once its
 * turn comes, and its answer goes nowhere.
 */
export function serialLookup(inner: Lookup = dns.lookup): Lookup {
  let busy = false;
  const waiting: (() => void)[] = [];
  const next = (): void => {
    const run = waiting.shift();
    if (run) run();
    else busy = false;
  };
  return (hostname, options, callback) => {
    const run = (): void => {
      busy = true;
      inner(hostname, options, (err, address, family) => {
        next();
        callback(err, address, family);
      });
    };
    if (!busy) run();
    else if (waiting.length < MAX_WAITING_LOOKUPS) waiting.push(run);
    else {
      const err: NodeJS.ErrnoException = new Error(`too many name lookups waiting (${MAX_WAITING_LOOKUPS}); is the resolver hung?`);
      err.code = 'ELOOKUPQUEUEFULL';
      queueMicrotask(() => callback(err, '', 0));
    }
  };
}
