// The socket server over a real Unix socket: every error kind, params, batches, concurrency, and the socket file's life.
import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { RpcServer, type RpcLogger } from '../../../src/ipc/server.js';
import { RpcClient } from '../../../src/ipc/client.js';
import { ErrorCode } from '../../../src/errors/codes.js';
import { RpcError } from '../../../src/errors/errors.js';
import type { MethodTable } from '../../../src/ipc/method-table.js';
import { waitFor } from '../../helpers/wait-for.js';

interface Warning {
  msg: string;
  fields: Record<string, unknown> | undefined;
}

/** A bare socket that writes raw text and reads parsed lines, so malformed input can be sent. */
class LineSocket {
  readonly messages: unknown[] = [];
  ended = false;
  private buffer = '';

  private constructor(readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      this.buffer += text;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) !== -1) {
        this.messages.push(JSON.parse(this.buffer.slice(0, nl)));
        this.buffer = this.buffer.slice(nl + 1);
      }
    });
    socket.on('end', () => {
      this.ended = true;
    });
    socket.on('error', () => undefined);
  }

  static connect(socketPath: string): Promise<LineSocket> {
    return new Promise((resolve, reject) => {
      const socket = net.createConnection(socketPath, () => resolve(new LineSocket(socket)));
      socket.once('error', reject);
    });
  }

  send(text: string): void {
    this.socket.write(text);
  }

  async next(what = 'a message'): Promise<unknown> {
    await waitFor(() => this.messages.length > 0, 3000, what);
    return this.messages.shift();
  }

  async request(text: string): Promise<unknown> {
    this.send(`${text}\n`);
    return this.next(`an answer to ${text.slice(0, 80)}`);
  }

  close(): void {
    this.socket.destroy();
  }
}

function errorOf(message: unknown): { code: number; message: string; data?: unknown } {
  const m = message as { error?: { code: number; message: string; data?: unknown } };
  assert.ok(m.error, `expected an error answer, got ${JSON.stringify(message)}`);
  return m.error;
}

function makeMethods(): MethodTable {
  return {
    echo: { params: [{ name: 'value', required: true, type: 'string' }], handler: (p) => p.value },
    add: {
      params: [
        { name: 'a', required: true, type: 'number' },
        { name: 'b', required: false, type: 'integer' },
      ],
      handler: (p) => (p.a as number) + ((p.b as number | undefined) ?? 0),
    },
    nothing: { params: [], handler: () => undefined },
    fail: {
      params: [],
      handler: () => {
        throw new Error('the disk is on fire');
      },
    },
    failAsync: {
      params: [],
      handler: async () => {
        await Promise.resolve();
        throw new Error('later fire');
      },
    },
    notFound: {
      params: [{ name: 'name', required: true, type: 'string' }],
      handler: (p) => {
        throw new RpcError(ErrorCode.SERVICE_NOT_FOUND, `service "${String(p.name)}" not found`, { service: p.name });
      },
    },
    delay: {
      params: [
        { name: 'ms', required: true, type: 'integer' },
        { name: 'tag', required: true, type: 'string' },
      ],
      handler: (p) => new Promise((resolve) => setTimeout(() => resolve(p.tag), p.ms as number)),
    },
    unencodable: { params: [], handler: () => ({ big: 1n }) },
  };
}

void describe('RpcServer over a Unix socket', () => {
  let dir: string;
  let socketPath: string;
  let server: RpcServer;
  let warnings: Warning[];
  let calls: string[];
  const sockets: LineSocket[] = [];
  const clients: RpcClient[] = [];

  const connect = async (): Promise<LineSocket> => {
    const s = await LineSocket.connect(socketPath);
    sockets.push(s);
    return s;
  };

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zinit-ipc-'));
    socketPath = path.join(dir, 'zinit.sock');
    warnings = [];
    calls = [];
    const logger: RpcLogger = { warn: (msg, fields) => warnings.push({ msg, fields }) };
    const methods: MethodTable = {
      ...makeMethods(),
      record: {
        params: [{ name: 'tag', required: true, type: 'string' }],
        handler: (p) => {
          calls.push(p.tag as string);
          return true;
        },
      },
    };
    server = new RpcServer({ path: socketPath, methods, logger });
    await server.listen();
  });

  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  void describe('errors', () => {
    void test('malformed JSON is a parse error and the connection keeps serving', async () => {
      const s = await connect();
      const bad = errorOf(await s.request('{"jsonrpc":"2.0","id":1,"method":}'));
      assert.equal(bad.code, ErrorCode.PARSE_ERROR);
      assert.match(bad.message, /^parse error: /);
      assert.equal(((await s.request('not json at all')) as { id: unknown }).id, null);
      assert.deepEqual(await s.request('{"jsonrpc":"2.0","id":2,"method":"echo","params":["still here"]}'), {
        jsonrpc: '2.0',
        id: 2,
        result: 'still here',
      });
    });

    void test('a JSON value that is not an object is an invalid request', async () => {
      const s = await connect();
      for (const text of ['42', '"service_list"', 'null', 'true']) {
        const answer = (await s.request(text)) as { id: unknown };
        assert.equal(answer.id, null);
        assert.equal(errorOf(answer).code, ErrorCode.INVALID_REQUEST);
      }
    });

    void test('missing jsonrpc or method is an invalid request that keeps its id', async () => {
      const s = await connect();
      const noVersion = (await s.request('{"id":5,"method":"echo","params":["x"]}')) as { id: unknown };
      assert.equal(noVersion.id, 5);
      assert.equal(errorOf(noVersion).code, ErrorCode.INVALID_REQUEST);
      assert.match(errorOf(noVersion).message, /"jsonrpc" must be "2.0"/);
      const noMethod = (await s.request('{"jsonrpc":"2.0","id":6}')) as { id: unknown };
      assert.equal(noMethod.id, 6);
      assert.match(errorOf(noMethod).message, /"method" must be a non-empty string/);
    });

    void test('an unknown method is METHOD_NOT_FOUND', async () => {
      const s = await connect();
      const e = errorOf(await s.request('{"jsonrpc":"2.0","id":1,"method":"service_frobnicate"}'));
      assert.equal(e.code, ErrorCode.METHOD_NOT_FOUND);
      assert.equal(e.message, 'method not found: "service_frobnicate"');
    });

    void test('a missing or wrongly typed param is INVALID_PARAMS naming the param, before the handler runs', async () => {
      const s = await connect();
      const missing = errorOf(await s.request('{"jsonrpc":"2.0","id":1,"method":"record","params":[]}'));
      assert.equal(missing.code, ErrorCode.INVALID_PARAMS);
      assert.equal(missing.message, 'invalid params for record: missing required param "tag" (a string)');
      const wrong = errorOf(await s.request('{"jsonrpc":"2.0","id":2,"method":"record","params":{"tag":7}}'));
      assert.equal(wrong.code, ErrorCode.INVALID_PARAMS);
      assert.equal(wrong.message, 'invalid params for record: "tag" must be a string, got an integer');
      assert.deepEqual(wrong.data, { param: 'tag', expected: 'string' });
      const extra = errorOf(await s.request('{"jsonrpc":"2.0","id":3,"method":"record","params":["a","b"]}'));
      assert.equal(extra.code, ErrorCode.INVALID_PARAMS);
      assert.deepEqual(calls, []);
    });

    void test('a handler throwing an Error is INTERNAL_ERROR with its message, and is logged', async () => {
      const s = await connect();
      const sync = errorOf(await s.request('{"jsonrpc":"2.0","id":1,"method":"fail"}'));
      assert.deepEqual(sync, { code: ErrorCode.INTERNAL_ERROR, message: 'the disk is on fire' });
      const later = errorOf(await s.request('{"jsonrpc":"2.0","id":2,"method":"failAsync"}'));
      assert.deepEqual(later, { code: ErrorCode.INTERNAL_ERROR, message: 'later fire' });
      assert.deepEqual(
        warnings.map((w) => [w.fields?.method, w.fields?.error]),
        [
          ['fail', 'the disk is on fire'],
          ['failAsync', 'later fire'],
        ],
      );
    });

    void test('a handler throwing RpcError is answered as is, without a warning', async () => {
      const s = await connect();
      const e = errorOf(await s.request('{"jsonrpc":"2.0","id":1,"method":"notFound","params":["redis"]}'));
      assert.deepEqual(e, { code: ErrorCode.SERVICE_NOT_FOUND, message: 'service "redis" not found', data: { service: 'redis' } });
      assert.deepEqual(warnings, []);
    });

    void test('a result JSON cannot carry becomes INTERNAL_ERROR instead of a broken line', async () => {
      const s = await connect();
      const answer = (await s.request('{"jsonrpc":"2.0","id":9,"method":"unencodable"}')) as { id: unknown };
      assert.equal(answer.id, 9);
      assert.equal(errorOf(answer).code, ErrorCode.INTERNAL_ERROR);
      assert.deepEqual(await s.request('{"jsonrpc":"2.0","id":10,"method":"echo","params":["ok"]}'), {
        jsonrpc: '2.0',
        id: 10,
        result: 'ok',
      });
    });
  });

  void describe('requests', () => {
    void test('params by position and by name reach the handler the same way', async () => {
      const s = await connect();
      assert.deepEqual(await s.request('{"jsonrpc":"2.0","id":1,"method":"add","params":[2,3]}'), { jsonrpc: '2.0', id: 1, result: 5 });
      assert.deepEqual(await s.request('{"jsonrpc":"2.0","id":"n","method":"add","params":{"b":3,"a":2}}'), {
        jsonrpc: '2.0',
        id: 'n',
        result: 5,
      });
      assert.deepEqual(await s.request('{"jsonrpc":"2.0","id":2,"method":"add","params":[2,null]}'), { jsonrpc: '2.0', id: 2, result: 2 });
      assert.deepEqual(await s.request('{"jsonrpc":"2.0","id":3,"method":"nothing"}'), { jsonrpc: '2.0', id: 3, result: null });
    });

    void test('a notification runs its handler and gets no answer', async () => {
      const s = await connect();
      s.send('{"jsonrpc":"2.0","method":"record","params":["quiet"]}\n');
      s.send('{"jsonrpc":"2.0","method":"no_such_method"}\n');
      s.send('{"jsonrpc":"2.0","method":"record","params":[1]}\n');
      assert.deepEqual(await s.request('{"jsonrpc":"2.0","id":1,"method":"record","params":["loud"]}'), {
        jsonrpc: '2.0',
        id: 1,
        result: true,
      });
      assert.deepEqual(calls, ['quiet', 'loud']);
      assert.deepEqual(s.messages, []);
    });

    void test('a batch is answered as one array, without entries for notifications', async () => {
      const s = await connect();
      const batch = [
        { jsonrpc: '2.0', id: 1, method: 'echo', params: ['one'] },
        { jsonrpc: '2.0', method: 'record', params: ['in batch'] },
        { jsonrpc: '2.0', id: 2, method: 'missing' },
        42,
        { jsonrpc: '2.0', id: 3, method: 'add', params: { a: 1, b: 1 } },
      ];
      const answer = (await s.request(JSON.stringify(batch))) as { id: unknown; result?: unknown; error?: { code: number } }[];
      assert.ok(Array.isArray(answer));
      assert.equal(answer.length, 4);
      assert.deepEqual(answer[0], { jsonrpc: '2.0', id: 1, result: 'one' });
      assert.equal(answer[1]?.id, 2);
      assert.equal(answer[1]?.error?.code, ErrorCode.METHOD_NOT_FOUND);
      assert.equal(answer[2]?.id, null);
      assert.equal(answer[2]?.error?.code, ErrorCode.INVALID_REQUEST);
      assert.deepEqual(answer[3], { jsonrpc: '2.0', id: 3, result: 2 });
      assert.deepEqual(calls, ['in batch']);
    });

    void test('an empty batch is an invalid request; a batch of notifications gets no answer', async () => {
      const s = await connect();
      assert.equal(errorOf(await s.request('[]')).code, ErrorCode.INVALID_REQUEST);
      s.send('[{"jsonrpc":"2.0","method":"record","params":["b1"]},{"jsonrpc":"2.0","method":"record","params":["b2"]}]\n');
      assert.deepEqual(await s.request('{"jsonrpc":"2.0","id":1,"method":"echo","params":["after"]}'), {
        jsonrpc: '2.0',
        id: 1,
        result: 'after',
      });
      assert.deepEqual(calls.sort(), ['b1', 'b2']);
    });

    void test('requests on one connection are answered as they complete, each with its id', async () => {
      const s = await connect();
      s.send('{"jsonrpc":"2.0","id":"slow","method":"delay","params":[300,"slow"]}\n');
      s.send('{"jsonrpc":"2.0","id":"fast","method":"delay","params":[0,"fast"]}\n');
      assert.deepEqual(await s.next(), { jsonrpc: '2.0', id: 'fast', result: 'fast' });
      assert.deepEqual(await s.next(), { jsonrpc: '2.0', id: 'slow', result: 'slow' });
    });

    void test('a client that closes its sending side still gets its answers, then the end', async () => {
      const s = await connect();
      s.socket.end('{"jsonrpc":"2.0","id":1,"method":"delay","params":[50,"late"]}\n{"jsonrpc":"2.0","id":2,"method":"echo","params":["no newline"]}');
      await waitFor(() => s.ended, 3000, 'the server to end the connection');
      assert.deepEqual(
        s.messages.map((m) => (m as { id: number }).id).sort(),
        [1, 2],
      );
    });

    void test('200 concurrent clients are all answered correctly', async () => {
      const many = await Promise.all(Array.from({ length: 200 }, () => RpcClient.connect(socketPath)));
      clients.push(...many);
      const answers = await Promise.all(
        many.map(async (client, i) => {
          const results = await Promise.all([
            client.call('echo', [`client-${i}`]),
            client.call('add', { a: i, b: 1 }),
          ]);
          return results;
        }),
      );
      answers.forEach(([echo, sum], i) => {
        assert.equal(echo, `client-${i}`);
        assert.equal(sum, i + 1);
      });
    });
  });

  void describe('the socket file', () => {
    void test('has mode 0600 and is a socket', () => {
      const stat = fs.statSync(socketPath);
      assert.ok(stat.isSocket());
      assert.equal(stat.mode & 0o777, 0o600);
    });

    void test('a second server on a live socket refuses to start and leaves the first serving', async () => {
      const second = new RpcServer({ path: socketPath, methods: makeMethods() });
      await assert.rejects(second.listen(), {
        message: `another zinit-ts is already serving ${socketPath}; stop it or use -s PATH`,
      });
      await second.close();
      assert.ok(fs.existsSync(socketPath));
      const s = await connect();
      assert.deepEqual(await s.request('{"jsonrpc":"2.0","id":1,"method":"echo","params":["first"]}'), {
        jsonrpc: '2.0',
        id: 1,
        result: 'first',
      });
    });

    void test('close() removes the socket file', async () => {
      await server.close();
      assert.equal(fs.existsSync(socketPath), false);
    });
  });
});

void describe('RpcServer start-up', () => {
  let dir: string;
  const servers: RpcServer[] = [];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zinit-ipc-'));
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const start = async (socketPath: string): Promise<RpcServer> => {
    const server = new RpcServer({ path: socketPath, methods: makeMethods() });
    servers.push(server);
    await server.listen();
    return server;
  };

  void test('a stale socket file left by a dead daemon is replaced', async () => {
    const socketPath = path.join(dir, 'stale.sock');
    // A process killed outright leaves its socket file behind with nobody listening.
    const child = spawn(
      process.execPath,
      ['-e', "require('net').createServer().listen(process.argv[1], () => process.kill(process.pid, 'SIGKILL'))", socketPath],
      { stdio: 'ignore' },
    );
    const exit = await new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    assert.equal(exit, 'SIGKILL');
    assert.ok(fs.statSync(socketPath).isSocket());
    await assert.rejects(RpcClient.connect(socketPath), /ECONNREFUSED/);

    await start(socketPath);
    const client = await RpcClient.connect(socketPath);
    try {
      assert.equal(await client.call('echo', ['fresh']), 'fresh');
    } finally {
      await client.close();
    }
    assert.equal(fs.statSync(socketPath).mode & 0o777, 0o600);
  });

  void test('a path that exists and is not a socket is left alone', async () => {
    const file = path.join(dir, 'precious.txt');
    fs.writeFileSync(file, 'data');
    const server = new RpcServer({ path: file, methods: {} });
    await assert.rejects(server.listen(), { message: `${file} exists and is not a socket; remove it or use -s PATH` });
    assert.equal(fs.readFileSync(file, 'utf8'), 'data');
  });

  void test('listening leaves the process umask as it was', async () => {
    const original = process.umask(0o027);
    try {
      await start(path.join(dir, 'u.sock'));
      assert.equal(process.umask(0o027), 0o027);
    } finally {
      process.umask(original);
    }
  });

  void test('a missing parent directory is created', async () => {
    const socketPath = path.join(dir, 'run', 'nested', 'z.sock');
    await start(socketPath);
    assert.ok(fs.statSync(socketPath).isSocket());
  });

  void test('a path too long for a Unix socket is refused with the reason', async () => {
    const server = new RpcServer({ path: path.join(dir, 'x'.repeat(120)), methods: {} });
    await assert.rejects(server.listen(), /is too long \(\d+ bytes; a Unix socket path holds at most 107\)/);
  });

  void test('close() during listen() leaves no socket behind', async () => {
    const socketPath = path.join(dir, 'race.sock');
    const server = new RpcServer({ path: socketPath, methods: {} });
    const listening = server.listen();
    await server.close();
    await assert.rejects(listening, /was closed while it was starting/);
    assert.equal(fs.existsSync(socketPath), false);
    await assert.rejects(server.listen(), /may be called only once/);
  });

  void test('options that are not positive integers are refused', () => {
    assert.throws(() => new RpcServer({ path: 'x', methods: {}, maxConnections: 0 }), /`maxConnections` must be a positive integer/);
    assert.throws(() => new RpcServer({ path: 'x', methods: {}, maxRequestBytes: -1 }), /`maxRequestBytes`/);
  });
});
