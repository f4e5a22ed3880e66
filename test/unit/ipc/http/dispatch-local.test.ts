// HTTP requests run through the socket's own method table: answers as the socket gives them, subscriptions refused before their handler runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../../../src/errors/codes.js';
import { localDispatch } from '../../../../src/ipc/http/dispatch-local.js';
import { SUBSCRIPTION_METHODS } from '../../../../src/ipc/http/subscription-methods.js';
import type { MethodTable } from '../../../../src/ipc/method-table.js';

function table(calls: string[]): MethodTable {
  return {
    service_list: { params: [], handler: () => (calls.push('service_list'), { web: 'Running' }) },
    stream_subscribeLogs: { params: [{ name: 'name', required: false, type: 'string' }], handler: () => (calls.push('subscribe'), 1) },
    system_run: { params: [{ name: 'argv', required: true, type: 'string[]' }], handler: () => (calls.push('run'), 2) },
    // A handler that opens a stream on its own is refused by the context too.
    sneaky: { params: [], handler: (_p, ctx) => (ctx.openStream(), calls.push('sneaky'), 3) },
  };
}

const signal = new AbortController().signal;

test('a request and a batch are answered as the socket answers them', async () => {
  const calls: string[] = [];
  const dispatch = localDispatch(table(calls), undefined);
  assert.deepEqual(JSON.parse((await dispatch({ jsonrpc: '2.0', id: 7, method: 'service_list' }, signal)) ?? ''), { jsonrpc: '2.0', id: 7, result: { web: 'Running' } });
  const batch = JSON.parse((await dispatch([{ jsonrpc: '2.0', id: 1, method: 'service_list' }, { jsonrpc: '2.0', id: 2, method: 'nope' }], signal)) ?? '') as { id: number; error?: { code: number } }[];
  assert.deepEqual(batch.map((r) => [r.id, r.error?.code]), [[1, undefined], [2, ErrorCode.METHOD_NOT_FOUND]]);
  assert.equal(await dispatch({ jsonrpc: '2.0', method: 'service_list' }, signal), null, 'a notification has no answer');
  assert.deepEqual(calls, ['service_list', 'service_list', 'service_list']);
});

test('the subscriptions are the declared streaming methods, and each is refused (INTERNAL_ERROR, as jsonrpsee) without running', async () => {
  assert.deepEqual([...SUBSCRIPTION_METHODS].sort(), ['stream_subscribeLogs', 'system_run']);
  const calls: string[] = [];
  const dispatch = localDispatch(table(calls), undefined);
  for (const [method, params] of [['stream_subscribeLogs', []], ['system_run', [['touch', '/tmp/x']]], ['sneaky', []]] as const) {
    const answer = JSON.parse((await dispatch({ jsonrpc: '2.0', id: 1, method, params }, signal)) ?? '') as { error: { code: number; message: string } };
    assert.equal(answer.error.code, ErrorCode.INTERNAL_ERROR, method);
    assert.match(answer.error.message, /is a subscription, and HTTP carries one answer per request/);
  }
  assert.deepEqual(calls, []);
});
