// The socket client against a real server: reaching the daemon, calls in flight, errors, subscriptions and connection loss.
import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RpcClient, TransportError } from '../../../src/ipc/client.js';
import { RpcServer } from '../../../src/ipc/server.js';
import { ErrorCode } from '../../../src/errors/codes.js';
import { RpcError } from '../../../src/errors/errors.js';
import type { MethodTable, RpcContext } from '../../../src/ipc/method-table.js';
import { subscriptionEnd, subscriptionItem } from '../../../src/ipc/wire.js';
import { waitFor } from '../../helpers/wait-for.js';

let dir: string | undefined;
const servers: RpcServer[] = [];
const clients: RpcClient[] = [];

function tempDir(): string {
  dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'zinit-ipc-'));
  return dir;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
  if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const notified: unknown[] = [];

function methods(): MethodTable {
  return {
    echo: { params: [{ name: 'value', required: true, type: 'string' }], handler: (p) => p.value },
    delay: {
      params: [
        { name: 'ms', required: true, type: 'integer' },
        { name: 'tag', required: true, type: 'integer' },
      ],
      handler: (p) => new Promise((resolve) => setTimeout(() => resolve(p.tag), p.ms as number)),
    },
    hang: {
      params: [],
      handler: (_p, ctx: RpcContext) => new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve(null))),
    },
    missing: {
      params: [{ name: 'name', required: true, type: 'string' }],
      handler: (p) => {
        throw new RpcError(ErrorCode.SERVICE_NOT_FOUND, `service "${String(p.name)}" not found`, { service: p.name });
      },
    },
    remember: {
      params: [{ name: 'value', required: true, type: 'string' }],
      handler: (p) => {
        notified.push(p.value);
      },
    },
    count: {
      params: [
        { name: 'to', required: true, type: 'integer' },
        { name: 'end', required: false, type: 'boolean' },
      ],
      handler: (p, ctx: RpcContext) => {
        const id = 'sub-1';
        // Sent before the answer on purpose: the client must hold them until it knows the id.
        ctx.notify('count', subscriptionItem(id, 0));
        setImmediate(() => {
          for (let i = 1; i < (p.to as number); i += 1) ctx.notify('count', subscriptionItem(id, i));
          if (p.end === true) ctx.notify('count', subscriptionEnd(id));
        });
        return id;
      },
    },
    forever: {
      params: [],
      handler: (_p, ctx: RpcContext) => {
        const timer = setInterval(() => ctx.notify('forever', subscriptionItem(9, 'tick')), 5);
        ctx.signal.addEventListener('abort', () => clearInterval(timer));
        return 9;
      },
    },
  };
}

async function serve(): Promise<string> {
  const socketPath = path.join(tempDir(), `c${servers.length}.sock`);
  const server = new RpcServer({ path: socketPath, methods: methods() });
  servers.push(server);
  await server.listen();
  return socketPath;
}

async function connect(socketPath: string): Promise<RpcClient> {
  const client = await RpcClient.connect(socketPath);
  clients.push(client);
  return client;
}

void describe('RpcClient', () => {
  void describe('reaching the daemon', () => {
    void test('no socket file: a clear message, within a second', async () => {
      const socketPath = path.join(tempDir(), 'nobody.sock');
      const t0 = Date.now();
      await assert.rejects(RpcClient.connect(socketPath), (err: unknown) => {
        assert.ok(err instanceof TransportError);
        assert.equal(err.kind, 'unreachable');
        assert.equal(err.errno, 'ENOENT');
        assert.equal(err.message, `cannot reach zinit-ts at ${socketPath}: no daemon is running (ENOENT)`);
        return true;
      });
      assert.ok(Date.now() - t0 < 1000);
    });

    void test('a socket file nobody listens on: ECONNREFUSED, within a second', async () => {
      const socketPath = path.join(tempDir(), 'dead.sock');
      const child = spawn(
        process.execPath,
        ['-e', "require('net').createServer().listen(process.argv[1], () => process.kill(process.pid, 'SIGKILL'))", socketPath],
        { stdio: 'ignore' },
      );
      await new Promise((resolve) => child.once('exit', resolve));
      const t0 = Date.now();
      await assert.rejects(RpcClient.connect(socketPath), {
        name: 'TransportError',
        message: `cannot reach zinit-ts at ${socketPath}: no daemon is running (ECONNREFUSED)`,
      });
      assert.ok(Date.now() - t0 < 1000);
    });
  });

  void describe('calls', () => {
    void test('a call resolves with the result; params by position or by name', async () => {
      const client = await connect(await serve());
      assert.equal(await client.call('echo', ['positional']), 'positional');
      assert.equal(await client.call('echo', { value: 'named' }), 'named');
    });

    void test('a failed call rejects with RpcError carrying the code, message and data', async () => {
      const client = await connect(await serve());
      await assert.rejects(client.call('missing', ['redis']), (err: unknown) => {
        assert.ok(err instanceof RpcError);
        assert.equal(err.code, ErrorCode.SERVICE_NOT_FOUND);
        assert.equal(err.message, 'service "redis" not found');
        assert.deepEqual(err.data, { service: 'redis' });
        return true;
      });
      await assert.rejects(client.call('echo', [1]), { code: ErrorCode.INVALID_PARAMS });
      await assert.rejects(client.call('nope'), { code: ErrorCode.METHOD_NOT_FOUND });
      assert.equal(await client.call('echo', ['still usable']), 'still usable');
    });

    void test('many calls in flight on one connection each get their own answer', async () => {
      const client = await connect(await serve());
      const n = 500;
      const results = await Promise.all(
        Array.from({ length: n }, (_, i) => client.call('delay', { ms: (i * 7) % 20, tag: i })),
      );
      assert.deepEqual(results, Array.from({ length: n }, (_, i) => i));
    });

    void test('a notification reaches its handler and expects no answer', async () => {
      notified.length = 0;
      const client = await connect(await serve());
      client.notify('remember', ['fire and forget']);
      await waitFor(() => notified.length === 1, 3000, 'the notification to arrive');
      assert.deepEqual(notified, ['fire and forget']);
    });

    void test('a call timeout rejects with a TransportError and leaves the connection usable', async () => {
      const client = await connect(await serve());
      await assert.rejects(client.call('delay', [500, 1], { timeoutMs: 50 }), (err: unknown) => {
        assert.ok(err instanceof TransportError);
        assert.equal(err.kind, 'timeout');
        assert.match(err.message, /^delay: no answer from zinit-ts within 50 ms$/);
        return true;
      });
      assert.equal(await client.call('echo', ['after timeout']), 'after timeout');
    });

    void test('calls pending when the server goes away reject with a TransportError naming the method', async () => {
      const client = await connect(await serve());
      const rejected = assert.rejects(
        client.call('hang'),
        (err: unknown) => err instanceof TransportError && err.kind === 'closed' && /answered hang$/.test(err.message),
      );
      await waitFor(() => servers[0]?.connectionCount === 1, 3000, 'the connection');
      await servers[0]?.close();
      await rejected;
      await assert.rejects(client.call('echo', ['x']), { name: 'TransportError' });
    });

    void test('close() rejects calls still pending', async () => {
      const client = await connect(await serve());
      const rejected = assert.rejects(client.call('hang'), { name: 'TransportError', message: /closed by this client/ });
      await client.close();
      await rejected;
    });

    void test('destroy() closes at once: pending calls reject, the server sees the client gone, and serves the next one', async () => {
      const socketPath = await serve();
      const client = await connect(socketPath);
      assert.equal(await client.call('echo', ['answered']), 'answered');
      const rejected = assert.rejects(client.call('hang'), { name: 'TransportError', message: /closed by this client/ });
      await waitFor(() => servers[0]?.connectionCount === 1, 3000, 'the connection');
      await client.destroy();
      await rejected;
      await assert.rejects(client.call('echo', ['x']), { name: 'TransportError' });
      await waitFor(() => servers[0]?.connectionCount === 0, 3000, 'the server to drop the connection');
      assert.equal(await (await connect(socketPath)).call('echo', ['next']), 'next');
    });
  });

  void describe('subscriptions', () => {
    void test('items arrive in order, including those sent before the answer, and closed resolves when the stream ends', async () => {
      const client = await connect(await serve());
      const items: unknown[] = [];
      const sub = await client.subscribe('count', { to: 50, end: true }, (item) => items.push(item));
      assert.equal(sub.result, 'sub-1');
      await sub.closed;
      assert.deepEqual(items, Array.from({ length: 50 }, (_, i) => i));
      assert.equal(await client.call('echo', ['connection still open']), 'connection still open');
    });

    void test('closed resolves when the connection ends', async () => {
      const socketPath = await serve();
      const client = await connect(socketPath);
      let ticks = 0;
      const sub = await client.subscribe('forever', [], () => {
        ticks += 1;
      });
      await waitFor(() => ticks >= 3, 3000, 'some ticks');
      await servers[0]?.close();
      await sub.closed;
      await client.closed;
    });

    void test('a failing subscribe call rejects like any call', async () => {
      const client = await connect(await serve());
      await assert.rejects(client.subscribe('count', { to: 'ten' }, () => undefined), { code: ErrorCode.INVALID_PARAMS });
    });
  });
});
