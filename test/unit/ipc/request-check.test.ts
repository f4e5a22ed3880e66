// Request checks against a method table: request shape, method lookup, param binding and types, error objects and wire messages.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../../src/errors/codes.js';
import { RpcError } from '../../../src/errors/errors.js';
import type { MethodTable } from '../../../src/ipc/method-table.js';
import { bindParams, type ParamSpec } from '../../../src/ipc/param-binder.js';
import { checkRequest } from '../../../src/ipc/request-check.js';
import { errorResponse, successResponse, subscriptionEnd, subscriptionItem } from '../../../src/ipc/wire.js';

const noop = (): null => null;

const methods: MethodTable = {
  service_list: { params: [], handler: noop },
  service_kill: {
    params: [
      { name: 'name', required: true, type: 'string' },
      { name: 'signal', required: true, type: 'string' },
    ],
    handler: noop,
  },
  stream_currentLogs: { params: [{ name: 'name', required: false, type: 'string' }], handler: noop },
};

const allTypes: readonly ParamSpec[] = [
  { name: 's', required: false, type: 'string' },
  { name: 'n', required: false, type: 'number' },
  { name: 'i', required: false, type: 'integer' },
  { name: 'b', required: false, type: 'boolean' },
  { name: 'o', required: false, type: 'object' },
  { name: 'a', required: false, type: 'array' },
  { name: 'ss', required: false, type: 'string[]' },
];

function rejected(raw: unknown): { code: number; message: string; answer: boolean; id: unknown } {
  const r = checkRequest(raw, methods);
  assert.equal(r.ok, false, `expected ${JSON.stringify(raw)} to be rejected`);
  if (r.ok) throw new Error('unreachable');
  return { code: r.error.code, message: r.error.message, answer: r.answer, id: r.id };
}

void describe('error codes', () => {
  void test('standard codes and zinit application codes keep their numbers', () => {
    assert.equal(ErrorCode.PARSE_ERROR, -32700);
    assert.equal(ErrorCode.INVALID_REQUEST, -32600);
    assert.equal(ErrorCode.METHOD_NOT_FOUND, -32601);
    assert.equal(ErrorCode.INVALID_PARAMS, -32602);
    assert.equal(ErrorCode.INTERNAL_ERROR, -32603);
    assert.equal(ErrorCode.SERVICE_NOT_FOUND, -32000);
    assert.equal(ErrorCode.SERVICE_IS_UP, -32002);
    assert.equal(ErrorCode.SERVICE_IS_DOWN, -32003);
    assert.equal(ErrorCode.CONFIG_ERROR, -32005);
    assert.equal(ErrorCode.SHUTTING_DOWN, -32006);
  });

  void test('every code is distinct', () => {
    const codes = Object.values(ErrorCode);
    assert.equal(new Set(codes).size, codes.length);
  });
});

void describe('RpcError', () => {
  void test('carries code, message and data, and serialises to a JSON-RPC error object', () => {
    const err = new RpcError(ErrorCode.SERVICE_NOT_FOUND, 'service "x" not found', { service: 'x' });
    assert.ok(err instanceof Error);
    assert.equal(err.name, 'RpcError');
    assert.deepEqual(err.toJSON(), { code: -32000, message: 'service "x" not found', data: { service: 'x' } });
    assert.deepEqual(new RpcError(-32603, 'boom').toJSON(), { code: -32603, message: 'boom' });
    assert.equal('data' in new RpcError(-32603, 'boom'), false);
  });

  void test('responses are built with jsonrpc 2.0 and undefined results become null', () => {
    assert.deepEqual(successResponse(1, undefined), { jsonrpc: '2.0', id: 1, result: null });
    assert.deepEqual(errorResponse('a', new RpcError(-32601, 'nope')), {
      jsonrpc: '2.0',
      id: 'a',
      error: { code: -32601, message: 'nope' },
    });
    assert.deepEqual(subscriptionItem(7, 'line'), { subscription: 7, result: 'line' });
    assert.deepEqual(subscriptionEnd(7), { subscription: 7, error: 'subscription ended' });
  });
});

void describe('checkRequest', () => {
  void test('accepts a call and a notification', () => {
    const call = checkRequest({ jsonrpc: '2.0', id: 3, method: 'service_list' }, methods);
    assert.equal(call.ok, true);
    if (call.ok) {
      assert.equal(call.id, 3);
      assert.equal(call.notification, false);
      assert.deepEqual(call.params, {});
    }
    const note = checkRequest({ jsonrpc: '2.0', method: 'service_list' }, methods);
    assert.equal(note.ok && note.notification, true);
  });

  void test('a non-object is an invalid request, answered with id null', () => {
    for (const raw of [42, 'text', null, true]) {
      const r = rejected(raw);
      assert.equal(r.code, ErrorCode.INVALID_REQUEST);
      assert.equal(r.id, null);
      assert.equal(r.answer, true);
      assert.match(r.message, /expected a JSON object/);
    }
  });

  void test('missing or wrong jsonrpc, missing method and a bad id are invalid requests', () => {
    const noVersion = rejected({ id: 1, method: 'service_list' });
    assert.equal(noVersion.code, ErrorCode.INVALID_REQUEST);
    assert.equal(noVersion.id, 1);
    assert.match(noVersion.message, /"jsonrpc" must be "2.0", got nothing/);
    assert.match(rejected({ jsonrpc: '1.0', id: 1, method: 'x' }).message, /got "1.0"/);
    const noMethod = rejected({ jsonrpc: '2.0', id: 2 });
    assert.equal(noMethod.code, ErrorCode.INVALID_REQUEST);
    assert.match(noMethod.message, /"method"/);
    assert.equal(rejected({ jsonrpc: '2.0', id: 2, method: 7 }).code, ErrorCode.INVALID_REQUEST);
    const badId = rejected({ jsonrpc: '2.0', id: { x: 1 }, method: 'service_list' });
    assert.equal(badId.code, ErrorCode.INVALID_REQUEST);
    assert.equal(badId.id, null);
  });

  void test('an unknown method is METHOD_NOT_FOUND, with a hint for a near name', () => {
    const r = rejected({ jsonrpc: '2.0', id: 1, method: 'service.list' });
    assert.equal(r.code, ErrorCode.METHOD_NOT_FOUND);
    assert.equal(r.message, 'method not found: "service.list"; did you mean "service_list"?');
    assert.equal(rejected({ jsonrpc: '2.0', id: 1, method: 'nothing' }).message, 'method not found: "nothing"');
    assert.equal(rejected({ jsonrpc: '2.0', id: 1, method: 'toString' }).code, ErrorCode.METHOD_NOT_FOUND);
  });

  void test('errors in a notification are not answered', () => {
    assert.equal(rejected({ jsonrpc: '2.0', method: 'nothing' }).answer, false);
    assert.equal(rejected({ jsonrpc: '2.0', method: 'service_kill', params: [] }).answer, false);
  });
});

void describe('bindParams', () => {
  void test('binds positional params in order and named params by name', () => {
    assert.deepEqual(bindParams('service_kill', methods.service_kill!.params, ['redis', 'SIGTERM']), {
      name: 'redis',
      signal: 'SIGTERM',
    });
    assert.deepEqual(bindParams('service_kill', methods.service_kill!.params, { signal: 'SIGKILL', name: 'db' }), {
      name: 'db',
      signal: 'SIGKILL',
    });
  });

  void test('an omitted optional param, or a null one, is absent', () => {
    const specs = methods.stream_currentLogs!.params;
    assert.deepEqual(bindParams('stream_currentLogs', specs, undefined), {});
    assert.deepEqual(bindParams('stream_currentLogs', specs, []), {});
    assert.deepEqual(bindParams('stream_currentLogs', specs, [null]), {});
    assert.deepEqual(bindParams('stream_currentLogs', specs, { name: null }), {});
  });

  void test('a missing required param names the param and its type', () => {
    assert.throws(
      () => bindParams('service_kill', methods.service_kill!.params, ['redis']),
      (err: unknown) =>
        err instanceof RpcError &&
        err.code === ErrorCode.INVALID_PARAMS &&
        err.message === 'invalid params for service_kill: missing required param "signal" (a string)' &&
        JSON.stringify(err.data) === '{"param":"signal","expected":"string"}',
    );
  });

  void test('a wrongly typed param names the param, the expected type and what came', () => {
    assert.throws(
      () => bindParams('service_kill', methods.service_kill!.params, { name: 'redis', signal: 9 }),
      { code: ErrorCode.INVALID_PARAMS, message: 'invalid params for service_kill: "signal" must be a string, got an integer' },
    );
  });

  void test('extra positional params are errors; unknown named params are ignored, as zinit ignores them', () => {
    assert.throws(() => bindParams('service_kill', methods.service_kill!.params, ['a', 'b', 'c']), {
      code: ErrorCode.INVALID_PARAMS,
      message: 'invalid params for service_kill: takes at most 2 positional param(s) (name, signal), got 3',
    });
    assert.throws(() => bindParams('service_list', [], ['x']), /takes at most 0 positional param\(s\) \(no params\), got 1/);
    assert.deepEqual(bindParams('service_kill', methods.service_kill!.params, { name: 'a', signal: 'b', force: true }), { name: 'a', signal: 'b' });
    assert.deepEqual(bindParams('service_list', [], { verbose: 1 }), {});
    // Ignoring the unknown ones does not loosen the known ones.
    assert.throws(() => bindParams('service_kill', methods.service_kill!.params, { name: 'a', signal: 9, force: true }), /"signal" must be a string/);
    assert.throws(() => bindParams('service_kill', methods.service_kill!.params, { signal: 'b', force: true }), /missing required param "name"/);
  });

  void test('a param may be given by its alias; the message then uses the word the client used', () => {
    const specs = [{ name: 'filter', required: false, type: 'string', aliases: ['name'] }] as const;
    assert.deepEqual(bindParams('stream_subscribeLogs', specs, { name: 'web' }), { filter: 'web' });
    assert.deepEqual(bindParams('stream_subscribeLogs', specs, { filter: 'web' }), { filter: 'web' });
    assert.deepEqual(bindParams('stream_subscribeLogs', specs, { filter: null, name: 'web' }), { filter: 'web' });
    assert.throws(() => bindParams('stream_subscribeLogs', specs, { name: 3 }), { code: ErrorCode.INVALID_PARAMS, message: 'invalid params for stream_subscribeLogs: "name" must be a string, got an integer' });
    assert.throws(() => bindParams('stream_subscribeLogs', specs, { filter: 'a', name: 'b' }), {
      code: ErrorCode.INVALID_PARAMS,
      message: 'invalid params for stream_subscribeLogs: "filter" and "name" name the same param; give only "filter"',
    });
  });

  void test('params that are neither array nor object are refused', () => {
    assert.throws(() => bindParams('service_list', [], 'redis'), /"params" must be an array or an object, got a string/);
  });

  void test('checks every param type', () => {
    const good = { s: 'x', n: 1.5, i: 3, b: false, o: { k: 1 }, a: [1, 'x'], ss: ['a', 'b'] };
    assert.deepEqual(bindParams('types', allTypes, good), good);
    const bad: [string, unknown, RegExp][] = [
      ['s', 1, /"s" must be a string, got an integer/],
      ['n', 'one', /"n" must be a number, got a string/],
      ['n', Number.NaN, /"n" must be a number/],
      ['i', 1.5, /"i" must be an integer, got a number/],
      ['b', 'true', /"b" must be a boolean, got a string/],
      ['o', [1], /"o" must be an object, got an array/],
      ['a', { 0: 1 }, /"a" must be an array, got an object/],
      ['ss', ['a', 1], /"ss" must be an array of strings, got an array/],
    ];
    for (const [name, value, message] of bad) {
      assert.throws(() => bindParams('types', allTypes, { [name]: value }), message);
    }
  });
});
