// An RpcContext without a socket: a reader that can be stopped and resumed, for testing streams' flow control.
import type { RpcContext } from '../../src/ipc/method-table.js';

export interface FakeContext extends RpcContext {
  /** Every notification written, decoded, in order. */
  readonly received: { method: string; params: { subscription: number; result?: unknown; error?: unknown } }[];
  /** While false, written bytes pile up in the backlog. */
  reading: boolean;
  readonly dropped: string[];
  readonly openStreams: number;
  /** Lets the reader take everything written so far and fires drain waiters. */
  drain(): void;
  abort(): void;
}

export function fakeContext(options: { highWaterMark?: number; maxStreams?: number } = {}): FakeContext {
  const controller = new AbortController();
  const highWaterMark = options.highWaterMark ?? 64 * 1024;
  const maxStreams = options.maxStreams ?? 32;
  let backlog = 0;
  let pending: string[] = [];
  let waiters: (() => void)[] = [];
  let streams = 0;
  const received: FakeContext['received'] = [];
  const dropped: string[] = [];
  const take = (text: string): void => {
    for (const line of text.split('\n')) if (line.length > 0) received.push(JSON.parse(line) as FakeContext['received'][number]);
  };
  const write = (text: string): void => {
    if (ctx.reading) take(text);
    else {
      pending.push(text);
      backlog += text.length;
    }
  };
  const ctx: FakeContext = {
    signal: controller.signal,
    highWaterMark,
    reading: true,
    received,
    dropped,
    get backlog() {
      return backlog;
    },
    get openStreams() {
      return streams;
    },
    notify(method, params) {
      if (controller.signal.aborted || backlog >= highWaterMark) return false;
      write(`${JSON.stringify({ jsonrpc: '2.0', method, params })}\n`);
      return true;
    },
    sendEncoded(text) {
      if (controller.signal.aborted) return false;
      write(text);
      return true;
    },
    onDrain(cb) {
      if (controller.signal.aborted) return;
      if (backlog < highWaterMark) setImmediate(cb);
      else waiters.push(cb);
    },
    openStream() {
      if (streams >= maxStreams) throw new Error('too many streams');
      streams += 1;
      let done = false;
      return () => {
        if (!done) streams -= 1;
        done = true;
      };
    },
    drop(reason) {
      dropped.push(reason);
      controller.abort(new Error(reason));
    },
    drain() {
      for (const text of pending) take(text);
      pending = [];
      backlog = 0;
      const w = waiters;
      waiters = [];
      for (const cb of w) cb();
    },
    abort() {
      controller.abort(new Error('client gone'));
    },
  };
  return ctx;
}
