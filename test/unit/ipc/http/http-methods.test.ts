// system_start_http_server and system_stop_http_server in the method table: declared as zinit declares them, handled by the HTTP port.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { API } from '../../../../src/ipc/api.js';
import { buildMethods, type HandlerDeps, type HttpControl } from '../../../../src/ipc/handlers.js';
import { HttpServerError } from '../../../../src/errors/http-errors.js';
import { fakeContext } from '../../../helpers/fake-rpc-context.js';

test('start answers zinit\'s sentence; stop answers null or the port\'s error', async () => {
  const asked: string[] = [];
  let running = false;
  const http: HttpControl = {
    start: (address) => {
      asked.push(address);
      running = true;
      return Promise.resolve(`HTTP/RPC server started at ${address}`);
    },
    stop: () => (running ? ((running = false), Promise.resolve()) : Promise.reject(HttpServerError.notRunning())),
  };
  const methods = buildMethods({ version: '0', http } as unknown as HandlerDeps);
  assert.deepEqual(API.system_start_http_server.params.map((p) => [p.name, p.required]), [['address', true]]);
  assert.equal(await methods.system_start_http_server?.handler({ address: '127.0.0.1:8080' }, fakeContext()), 'HTTP/RPC server started at 127.0.0.1:8080');
  assert.deepEqual(asked, ['127.0.0.1:8080']);
  assert.equal(await methods.system_stop_http_server?.handler({}, fakeContext()), null);
  await assert.rejects(Promise.resolve(methods.system_stop_http_server?.handler({}, fakeContext())), /stopping http server: no HTTP\/RPC server is running/);
});
