// The socket server under abuse: oversized lines, vanishing clients, slow readers, connection floods, and close() with clients still attached.
import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { RpcServer, type RpcServerOptions } from '../../../src/ipc/server.js';
import { RpcClient } from '../../../src/ipc/client.js';
import { ErrorCode } from '../../../src/errors/codes.js';
import type { MethodTable, RpcContext } from '../../../src/ipc/method-table.js';
import { subscriptionItem } from '../../../src/ipc/wire.js';
import { waitFor } from '../../helpers/wait-for.js';

/** A bare socket that collects the server's lines as text, for reading at the test's own pace. */
class RawSocket {
  readonly lines: string[] = [];
  ended = false;
  closed = false;
  private buffer = '';

  private constructor(readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      this.buffer += text;
      const parts = this.buffer.split('\n');
      this.buffer = parts.pop() ?? '';
      this.lines.push(...parts);
    });
    socket.on('end', () => {
      this.ended = true;
    });
    socket.on('close', () => {
      this.closed = true;
    });
    socket.on('error', () => undefined);
  }

  static connect(socketPath: string, options: { allowHalfOpen?: boolean } = {}): Promise<RawSocket> {
    return new Promise((resolve, reject) => {
      const socket = net.createConnection({ path: socketPath, allowHalfOpen: options.allowHalfOpen ?? false }, () =>
        resolve(new RawSocket(socket)),
      );
      socket.once('error', reject);
    });
  }

  message(i: number): { id?: unknown; result?: unknown; error?: { code: number; message: string }; params?: unknown } {
    return JSON.parse(this.lines[i] ?? 'null') as { id?: unknown; result?: unknown; error?: { code: number; message: string } };
  }
}

let dir: string | undefined;
const servers: RpcServer[] = [];
const sockets: net.Socket[] = [];
const clients: RpcClient[] = [];

async function startServer(methods: MethodTable, options: Partial<RpcServerOptions> = {}): Promise<{ server: RpcServer; socketPath: string }> {
  dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'zinit-ipc-'));
  const socketPath = path.join(dir, `s${servers.length}.sock`);
  const server = new RpcServer({ path: socketPath, methods, ...options });
  servers.push(server);
  await server.listen();
  return { server, socketPath };
}

async function raw(socketPath: string, options: { allowHalfOpen?: boolean } = {}): Promise<RawSocket> {
  const s = await RawSocket.connect(socketPath, options);
  sockets.push(s.socket);
  return s;
}

async function client(socketPath: string): Promise<RpcClient> {
  const c = await RpcClient.connect(socketPath);
  clients.push(c);
  return c;
}

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
  if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A subscription that sends nothing and stays open until its client goes. */
const quietStream: MethodTable = {
  quiet: {
    params: [],
    handler: (_p, ctx: RpcContext) => {
      const release = ctx.openStream();
      ctx.signal.addEventListener('abort', release);
      return 1;
    },
  },
};

const echo: MethodTable = {
  echo: { params: [{ name: 'value', required: true, type: 'string' }], handler: (p) => p.value },
};

void describe('RpcServer limits', () => {
  void test('a 4 MiB line is answered REQUEST_TOO_LARGE and closed, while other clients are served', async () => {
    const { socketPath } = await startServer(echo);
    const big = await raw(socketPath);
    const other = await client(socketPath);
    const line = `{"jsonrpc":"2.0","id":1,"method":"echo","params":["${'x'.repeat(4 * 1024 * 1024)}"]}\n`;
    big.socket.write(line);
    assert.equal(await other.call('echo', ['during']), 'during');
    await waitFor(() => big.closed, 5000, 'the oversized connection to be closed');
    assert.equal(big.lines.length, 1);
    const answer = big.message(0);
    assert.equal(answer.id, null);
    assert.equal(answer.error?.code, ErrorCode.REQUEST_TOO_LARGE);
    assert.match(answer.error?.message ?? '', /request too large: a request exceeded 1048576 bytes/);
    assert.equal(await other.call('echo', ['after']), 'after');
    const fresh = await client(socketPath);
    assert.equal(await fresh.call('echo', ['new client']), 'new client');
  });

  void test('a line within a custom limit is served, one past it is refused', async () => {
    const { socketPath } = await startServer(echo, { maxRequestBytes: 100 });
    const ok = await raw(socketPath);
    const request = (value: string): string => `{"jsonrpc":"2.0","id":1,"method":"echo","params":["${value}"]}`;
    const fits = request('y'.repeat(100 - request('').length));
    assert.equal(Buffer.byteLength(fits), 100);
    ok.socket.write(`${fits}\n`);
    await waitFor(() => ok.lines.length === 1, 3000, 'an answer');
    assert.equal(ok.message(0).result, 'y'.repeat(100 - request('').length));

    const over = await raw(socketPath);
    over.socket.write(`${request('y'.repeat(101 - request('').length))}\n`);
    await waitFor(() => over.closed, 3000, 'the connection to close');
    assert.equal(over.message(0).error?.code, ErrorCode.REQUEST_TOO_LARGE);
  });

  void test('a client that disconnects mid-request aborts the handler signal, and the server carries on', async () => {
    let started = 0;
    let aborted = 0;
    let finishedLate = 0;
    const methods: MethodTable = {
      ...echo,
      hang: {
        params: [],
        handler: (_p, ctx: RpcContext) =>
          new Promise((resolve) => {
            started += 1;
            ctx.signal.addEventListener('abort', () => {
              aborted += 1;
              resolve('too late');
            });
          }),
      },
      slowThenAnswer: {
        params: [],
        handler: async (_p, ctx: RpcContext) => {
          started += 1;
          await waitFor(() => ctx.signal.aborted, 3000, 'the client to leave');
          finishedLate += 1;
          return 'x'.repeat(100_000);
        },
      },
    };
    const { server, socketPath } = await startServer(methods);
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown): void => {
      rejections.push(reason);
    };
    process.on('unhandledRejection', onRejection);
    try {
      const leaver = await raw(socketPath);
      leaver.socket.write('{"jsonrpc":"2.0","id":1,"method":"hang"}\n{"jsonrpc":"2.0","id":2,"method":"slowThenAnswer"}\n');
      await waitFor(() => started === 2, 3000, 'both handlers to start');
      leaver.socket.destroy();
      await waitFor(() => aborted === 1 && finishedLate === 1, 3000, 'the handlers to see the client leave');
      await waitFor(() => server.connectionCount === 0, 3000, 'the connection to be dropped');
      const next = await client(socketPath);
      assert.equal(await next.call('echo', ['alive']), 'alive');
      assert.deepEqual(rejections, []);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });

  void test('notify refuses once a client that does not read is over the high-water mark, and onDrain fires when it reads again', async () => {
    const highWaterMark = 64 * 1024;
    const item = 'z'.repeat(1000);
    let accepted = 0;
    let refusedAt = -1;
    let drained = 0;
    const methods: MethodTable = {
      flood: {
        params: [],
        handler: (_p, ctx: RpcContext) => {
          setImmediate(() => {
            for (let i = 0; i < 100_000; i += 1) {
              if (!ctx.notify('flood', subscriptionItem(1, `${i} ${item}`))) {
                refusedAt = i;
                ctx.onDrain(() => {
                  drained += 1;
                });
                return;
              }
              accepted += 1;
            }
          });
          return 1;
        },
      },
    };
    const { socketPath } = await startServer(methods, { highWaterMark });
    const slow = await raw(socketPath);
    slow.socket.pause();
    slow.socket.write('{"jsonrpc":"2.0","id":1,"method":"flood"}\n');
    await waitFor(() => refusedAt >= 0, 5000, 'notify to refuse');
    // What was accepted sits in the server's buffer (up to the mark) and the kernel's socket buffers.
    assert.ok(accepted < 2000, `accepted ${accepted} items of 1 KB before refusing`);
    assert.equal(refusedAt, accepted);
    assert.equal(drained, 0);
    slow.socket.resume();
    await waitFor(() => drained === 1, 5000, 'onDrain to fire');
    await waitFor(() => slow.lines.length === accepted + 1, 5000, 'every accepted item to arrive');
    const items = slow.lines
      .map((l) => JSON.parse(l) as { method?: string; params?: { result: string } })
      .filter((m) => m.method === 'flood')
      .map((m) => Number(m.params?.result.split(' ')[0]));
    assert.deepEqual(items, Array.from({ length: accepted }, (_, i) => i));
  });

  void test('a client that sends requests but never reads answers stops being read', async () => {
    let ran = 0;
    const answer = 'a'.repeat(32 * 1024);
    const methods: MethodTable = {
      big: {
        params: [],
        handler: () => {
          ran += 1;
          return answer;
        },
      },
    };
    const { socketPath } = await startServer(methods, { highWaterMark: 256 * 1024 });
    const greedy = await raw(socketPath);
    greedy.socket.pause();
    const total = 1000;
    greedy.socket.write('{"jsonrpc":"2.0","id":1,"method":"big"}\n'.repeat(total));
    let last = -1;
    await waitFor(
      () => {
        const settled = ran > 0 && ran === last;
        last = ran;
        return settled;
      },
      5000,
      'the server to stop reading',
      100,
    );
    assert.ok(ran < 100, `ran ${ran} of ${total} requests for a client that read nothing`);
    greedy.socket.resume();
    await waitFor(() => greedy.lines.length === total, 10_000, 'every answer once the client reads');
    assert.equal(ran, total);
  });

  void test('connections past maxConnections are told so and closed; a freed slot is served', async () => {
    const warnings: string[] = [];
    const { server, socketPath } = await startServer(echo, {
      maxConnections: 3,
      logger: { warn: (msg) => warnings.push(msg) },
    });
    const held = await Promise.all([raw(socketPath), raw(socketPath), raw(socketPath)]);
    await waitFor(() => server.connectionCount === 3, 3000, 'three connections');
    const extra = await raw(socketPath);
    await waitFor(() => extra.closed, 3000, 'the extra connection to be closed');
    assert.equal(extra.message(0).error?.code, ErrorCode.TOO_MANY_CONNECTIONS);
    assert.match(extra.message(0).error?.message ?? '', /at most 3 clients/);
    assert.ok(warnings.some((w) => /connection limit reached/.test(w)));

    const rpc = await RpcClient.connect(socketPath);
    clients.push(rpc);
    await assert.rejects(rpc.call('echo', ['refused']), { code: ErrorCode.TOO_MANY_CONNECTIONS });

    held[0]?.socket.destroy();
    await waitFor(() => server.connectionCount === 2, 3000, 'a slot to free');
    const next = await client(socketPath);
    assert.equal(await next.call('echo', ['admitted']), 'admitted');
  });

  void test('close() returns quickly with a subscribed client and a client that never hangs up', async () => {
    let stopped = 0;
    const methods: MethodTable = {
      ticks: {
        params: [],
        handler: (_p, ctx: RpcContext) => {
          let n = 0;
          const timer = setInterval(() => ctx.notify('ticks', subscriptionItem(42, n++)), 5);
          ctx.signal.addEventListener('abort', () => {
            clearInterval(timer);
            stopped += 1;
          });
          return 42;
        },
      },
    };
    const { server, socketPath } = await startServer(methods);
    const subscriber = await client(socketPath);
    const seen: unknown[] = [];
    const sub = await subscriber.subscribe('ticks', [], (item) => seen.push(item));
    assert.equal(sub.result, 42);
    await waitFor(() => seen.length >= 3, 3000, 'some ticks');
    // Keeps its side open when the server ends, so only the server's grace timer can close it.
    const stubborn = await raw(socketPath, { allowHalfOpen: true });
    await waitFor(() => server.connectionCount === 2, 3000, 'both connections');

    const t0 = Date.now();
    await server.close();
    const took = Date.now() - t0;
    assert.ok(took < 1000, `close() took ${took} ms`);
    assert.equal(stopped, 1);
    await sub.closed;
    await subscriber.closed;
    // close() resolving at all proves the server dropped the stubborn connection: it waits for every one.
    assert.equal(server.connectionCount, 0);
    assert.equal(stubborn.ended, true);
    assert.equal(fs.existsSync(socketPath), false);
    assert.deepEqual(seen.slice(0, 3), [0, 1, 2]);
  });

  void test('at the slot limit the longest-idle client makes room for a newcomer; a client with a stream open is never evicted', async () => {
    const methods: MethodTable = {
      ...echo,
      ticks: {
        params: [],
        handler: (_p, ctx: RpcContext) => {
          const release = ctx.openStream();
          let n = 0;
          const timer = setInterval(() => ctx.notify('ticks', subscriptionItem(5, n++)), 20);
          ctx.signal.addEventListener('abort', () => (clearInterval(timer), release()));
          return 5;
        },
      },
    };
    const { server, socketPath } = await startServer(methods, { maxConnections: 3 });
    const subscriber = await client(socketPath);
    const seen: unknown[] = [];
    await subscriber.subscribe('ticks', [], (item) => seen.push(item));
    const first = await raw(socketPath);
    const second = await raw(socketPath);
    await waitFor(() => server.connectionCount === 3, 3000, 'three connections');
    const since = Date.now();
    // Eviction needs a client idle over a second: the wait is the condition under test.
    await waitFor(() => Date.now() - since > 1100, 2000, 'the idle clients to be idle over a second');
    const newcomer = await client(socketPath);
    assert.equal(await newcomer.call('echo', ['admitted']), 'admitted');
    await waitFor(() => first.closed, 3000, 'the idlest client to be closed');
    assert.equal(first.message(0).error?.code, ErrorCode.CONNECTION_DROPPED);
    assert.match(first.message(0).error?.message ?? '', /every connection slot was taken/);
    const before = seen.length;
    await waitFor(() => seen.length > before + 2, 3000, 'the subscriber still served');
    // Checked after the ticks, not the instant the first closed: a second eviction would have happened by now.
    assert.equal(second.closed, false, 'only one client made room');
    assert.equal(server.connectionCount, 3, 'the subscriber, the second idle client and the newcomer');
  });

  void test('a client that sends nothing is closed after the idle timeout; one with a stream open stays', async () => {
    const { server, socketPath } = await startServer(quietStream, { idleTimeoutMs: 300 });
    const silent = await raw(socketPath);
    const follower = await client(socketPath);
    await follower.subscribe('quiet', [], () => undefined);
    await waitFor(() => silent.closed, 3000, 'the silent client to be closed');
    assert.equal(silent.message(0).error?.code, ErrorCode.CONNECTION_DROPPED);
    assert.match(silent.message(0).error?.message ?? '', /nothing was sent for/);
    const since = Date.now();
    await waitFor(() => Date.now() - since > 1000, 2000, 'three idle timeouts to pass');
    assert.equal(server.connectionCount, 1, 'the follower is still connected');
  });

  void test('a request nested 100,000 deep gets REQUEST_TOO_DEEP and the connection keeps serving', async () => {
    const { socketPath } = await startServer(echo);
    const s = await raw(socketPath);
    const deep = `{"jsonrpc":"2.0","id":1,"method":"echo","params":[${'['.repeat(100_000)}${']'.repeat(100_000)}]}`;
    s.socket.write(`${deep}{"jsonrpc":"2.0","id":2,"method":"echo","params":["after"]}`);
    await waitFor(() => s.lines.length === 2, 5000, 'two answers');
    assert.equal(s.message(0).error?.code, ErrorCode.REQUEST_TOO_DEEP);
    assert.match(s.message(0).error?.message ?? '', /nested at most 64 levels/);
    assert.equal(s.message(1).result, 'after');
  });

  void test('a file put at the socket path while the server runs is left in place at close', async () => {
    const { server, socketPath } = await startServer(echo);
    fs.rmSync(socketPath);
    fs.writeFileSync(socketPath, 'not yours\n');
    await server.close();
    assert.equal(fs.readFileSync(socketPath, 'utf8'), 'not yours\n');
  });

  void test('the socket file is removed at close while it is still ours', async () => {
    const { server, socketPath } = await startServer(echo);
    assert.ok(fs.lstatSync(socketPath).isSocket());
    await server.close();
    assert.equal(fs.existsSync(socketPath), false);
  });

  void test('subscriptions past maxStreams on one connection get TOO_MANY_STREAMS; another connection may open more', async () => {
    const { socketPath } = await startServer(quietStream, { maxStreams: 2 });
    const c = await client(socketPath);
    await c.subscribe('quiet', [], () => undefined);
    await c.subscribe('quiet', [], () => undefined);
    await assert.rejects(c.subscribe('quiet', [], () => undefined), { code: ErrorCode.TOO_MANY_STREAMS, message: /at most 2 subscriptions/ });
    const other = await client(socketPath);
    await other.subscribe('quiet', [], () => undefined);
  });
});
