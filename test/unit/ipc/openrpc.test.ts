// The OpenRPC document built from a method table: methods, params with JSON schemas, results and errors.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { buildOpenRpcDocument } from '../../../src/ipc/openrpc.js';
import { ErrorCode } from '../../../src/errors/codes.js';
import type { MethodTable } from '../../../src/ipc/method-table.js';

const methods: MethodTable = {
  service_kill: {
    summary: 'Send a signal to a service',
    params: [
      { name: 'name', required: true, type: 'string', description: 'service name' },
      { name: 'signal', required: true, type: 'string' },
    ],
    errors: [ErrorCode.SERVICE_NOT_FOUND, ErrorCode.INVALID_SIGNAL],
    handler: () => null,
  },
  tail: {
    params: [
      { name: 'names', required: false, type: 'string[]' },
      { name: 'lines', required: false, type: 'integer' },
    ],
    result: { name: 'Lines', schema: { type: 'array', items: { type: 'string' } } },
    handler: () => [],
  },
};

void describe('buildOpenRpcDocument', () => {
  const doc = buildOpenRpcDocument(methods, { version: '1.2.3' }) as {
    openrpc: string;
    info: { version: string; title: string };
    servers: { url: string }[];
    methods: Record<string, unknown>[];
    components: { errors: Record<string, { code: number; message: string }> };
  };

  void test('is an OpenRPC 1.2.6 document with the given version', () => {
    assert.equal(doc.openrpc, '1.2.6');
    assert.equal(doc.info.version, '1.2.3');
    assert.equal(doc.info.title, 'zinit-ts JSON-RPC API');
    assert.equal(doc.servers[0]?.url, 'unix:///var/run/zinit.sock');
  });

  void test('lists every method in table order with its params in positional order', () => {
    assert.deepEqual(
      doc.methods.map((m) => m.name),
      ['service_kill', 'tail'],
    );
    const kill = doc.methods[0]!;
    assert.equal(kill.summary, 'Send a signal to a service');
    assert.equal(kill.paramStructure, 'either');
    assert.deepEqual(kill.params, [
      { name: 'name', required: true, description: 'service name', schema: { type: 'string' } },
      { name: 'signal', required: true, schema: { type: 'string' } },
    ]);
    assert.deepEqual(kill.errors, [
      { code: -32000, message: 'The service does not exist' },
      { code: -32004, message: 'The signal name is not valid' },
    ]);
    assert.deepEqual(kill.result, { name: 'service_killResult', schema: {} });
  });

  void test('maps param types to JSON schemas and keeps a declared result', () => {
    const tail = doc.methods[1]!;
    assert.deepEqual(tail.params, [
      { name: 'names', required: false, schema: { type: 'array', items: { type: 'string' } } },
      { name: 'lines', required: false, schema: { type: 'integer' } },
    ]);
    assert.deepEqual(tail.result, { name: 'Lines', schema: { type: 'array', items: { type: 'string' } } });
    assert.equal('errors' in tail, false);
  });

  void test('documents every error code', () => {
    assert.equal(Object.keys(doc.components.errors).length, Object.keys(ErrorCode).length);
    assert.deepEqual(doc.components.errors.REQUEST_TOO_LARGE?.code, ErrorCode.REQUEST_TOO_LARGE);
  });

  void test('is plain JSON', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(doc)), doc);
  });

  void test('shows a given socket path', () => {
    const custom = buildOpenRpcDocument({}, { version: '0', socketPath: '/run/z.sock' }) as { servers: { url: string }[] };
    assert.equal(custom.servers[0]?.url, 'unix:///run/z.sock');
  });
});
