// The API declaration against the server's table and its OpenRPC document: the same methods, each with its result and errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { API, METHOD_NAMES } from '../../../src/ipc/api.js';
import { ErrorCode } from '../../../src/errors/codes.js';
import { buildMethods, type HandlerDeps } from '../../../src/ipc/handlers.js';
import { fakeContext } from '../../helpers/fake-rpc-context.js';

// rpc.discover touches nothing but the table and the version.
const deps = { version: '9.9.9' } as unknown as HandlerDeps;
const methods = buildMethods(deps);

interface DocMethod {
  name: string;
  params: { name: string; required: boolean; schema: unknown }[];
  result?: { name: string; schema: Record<string, unknown> };
  errors?: { code: number; message: string }[];
}

async function discover(): Promise<{ info: { version: string }; methods: DocMethod[] }> {
  return (await methods['rpc.discover']?.handler({}, fakeContext())) as { info: { version: string }; methods: DocMethod[] };
}

test('the handler table has exactly the declared methods, in declaration order', () => {
  assert.deepEqual(Object.keys(methods), METHOD_NAMES);
  assert.deepEqual(METHOD_NAMES, Object.keys(API));
});

test('rpc.discover lists exactly the handler table\'s methods, each with a result schema and errors', async () => {
  const doc = await discover();
  assert.equal(doc.info.version, '9.9.9');
  assert.deepEqual(doc.methods.map((m) => m.name), Object.keys(methods));
  for (const m of doc.methods) {
    assert.ok(m.result !== undefined && Object.keys(m.result.schema).length > 0, `${m.name} has a result schema`);
    assert.ok(m.errors !== undefined && m.errors.length > 0, `${m.name} has errors`);
    assert.ok(m.errors.some((e) => e.code === ErrorCode.INTERNAL_ERROR), `${m.name} may fail unexpectedly`);
    for (const e of m.errors) assert.notEqual(e.message, `error ${e.code}`, `${m.name}: ${e.code} is in the catalogue`);
  }
});

test('params in the document are the declared ones, in positional order', async () => {
  const doc = await discover();
  for (const m of doc.methods) {
    const declared = API[m.name as keyof typeof API].params;
    assert.deepEqual(m.params.map((p) => [p.name, p.required]), declared.map((p) => [p.name, p.required]), m.name);
  }
});

test('results carry their shape: a status names its fields, a run says what it streams', async () => {
  const doc = await discover();
  const status = doc.methods.find((m) => m.name === 'service_status');
  assert.deepEqual(status?.result?.schema.required, ['name', 'pid', 'state', 'target', 'after', 'exit', 'restarts', 'reason', 'oneshot', 'warnings']);
  assert.equal(status?.result?.name, 'ServiceStatus');
  const kill = doc.methods.find((m) => m.name === 'service_kill');
  assert.deepEqual(kill?.result?.schema, { type: 'null' });
  assert.deepEqual(kill?.errors?.map((e) => e.code), [
    ErrorCode.INVALID_PARAMS,
    ErrorCode.SERVICE_NOT_FOUND,
    ErrorCode.INVALID_SIGNAL,
    ErrorCode.SERVICE_IS_DOWN,
    ErrorCode.INTERNAL_ERROR,
  ]);
});
