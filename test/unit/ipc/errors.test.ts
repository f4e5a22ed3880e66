// Each error class answers with its catalogue code and the message zinit-ts clients have always seen; none names a CLI command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ERROR_CODE_NAMES, ERROR_DESCRIPTIONS, ErrorCode, errorCodeName } from '../../../src/errors/codes.js';
import * as errors from '../../../src/errors/errors.js';
import { IllegalTransitionError, transition } from '../../../src/supervisor/state.js';

const {
  ConnectionDroppedError,
  InternalError,
  InvalidParamsError,
  InvalidRequestError,
  InvalidSignalError,
  InvalidStateTransitionError,
  MethodNotFoundError,
  ParseError,
  RequestTooDeepError,
  RequestTooLargeError,
  RpcError,
  InvalidServiceNameError,
  ServiceAlreadyExistsError,
  ServiceAlreadyMonitoredError,
  ServiceConfigError,
  ServiceContentError,
  ServiceFileError,
  ServiceFileMissingError,
  ServiceIsDownError,
  ServiceIsUpError,
  ServiceNotFoundError,
  ShuttingDownError,
  TooManyConnectionsError,
  TooManyStreamsError,
} = errors;

/** One of each, with the code it must carry and its message as the wire has it. */
const CASES: [errors.RpcError, number, string][] = [
  [new ParseError('Unexpected token'), ErrorCode.PARSE_ERROR, 'parse error: Unexpected token'],
  [new InvalidRequestError('empty batch'), ErrorCode.INVALID_REQUEST, 'invalid request: empty batch'],
  [new MethodNotFoundError('service.list', 'service_list'), ErrorCode.METHOD_NOT_FOUND, 'method not found: "service.list"; did you mean "service_list"?'],
  [new MethodNotFoundError('nope'), ErrorCode.METHOD_NOT_FOUND, 'method not found: "nope"'],
  [new InvalidParamsError('service_kill', 'missing required param "signal" (a string)'), ErrorCode.INVALID_PARAMS, 'invalid params for service_kill: missing required param "signal" (a string)'],
  [new InvalidParamsError(null, 'options.dir must be a path string'), ErrorCode.INVALID_PARAMS, 'options.dir must be a path string'],
  [new InternalError('the disk is on fire'), ErrorCode.INTERNAL_ERROR, 'the disk is on fire'],
  [InternalError.unencodable('cyclic'), ErrorCode.INTERNAL_ERROR, 'the answer could not be encoded as JSON: cyclic'],
  [new ServiceNotFoundError('redis'), ErrorCode.SERVICE_NOT_FOUND, 'service "redis" is not known'],
  [new ServiceAlreadyMonitoredError('redis'), ErrorCode.SERVICE_ALREADY_MONITORED, 'service "redis" is already monitored'],
  [new ServiceIsUpError('redis'), ErrorCode.SERVICE_IS_UP, 'service "redis" is not stopped'],
  [new ServiceIsDownError('redis', 'signal'), ErrorCode.SERVICE_IS_DOWN, 'service "redis" has no running process to signal'],
  [new ServiceIsDownError('redis', 'sample'), ErrorCode.SERVICE_IS_DOWN, 'service "redis" has no running process'],
  [new InvalidSignalError('SIGNOPE'), ErrorCode.INVALID_SIGNAL, '"SIGNOPE" is not a signal; use a name such as SIGTERM, HUP or usr1'],
  [new ServiceConfigError('redis', ['redis.yaml:1:1: exec: required', 'redis.yaml:2:1: unknown key']), ErrorCode.CONFIG_ERROR, 'redis.yaml:1:1: exec: required\nredis.yaml:2:1: unknown key'],
  [new ServiceConfigError('redis', []), ErrorCode.CONFIG_ERROR, 'cannot load service "redis"'],
  [new ShuttingDownError(), ErrorCode.SHUTTING_DOWN, 'zinit-ts is shutting down'],
  [new InvalidServiceNameError('creating service', 'a/b'), ErrorCode.INVALID_PARAMS, "creating service: invalid service name 'a/b'"],
  [new ServiceAlreadyExistsError('redis'), ErrorCode.SERVICE_ALREADY_EXISTS, "creating service: Service 'redis' already exists"],
  [new ServiceFileMissingError('redis', 'get'), ErrorCode.SERVICE_NOT_FOUND, "getting service: Service 'redis' not found"],
  [new ServiceFileMissingError('redis', 'delete'), ErrorCode.SERVICE_NOT_FOUND, "deleting service: Service 'redis' not found"],
  [new ServiceFileError('creating service file', 'redis', 'failed to create service file: /etc/zinit/redis.yaml: permission denied'), ErrorCode.SERVICE_FILE_ERROR, 'creating service file: failed to create service file: /etc/zinit/redis.yaml: permission denied'],
  [ServiceContentError.invalid('redis', ['/etc/zinit/redis.yaml:1:1: exec is required']), ErrorCode.CONFIG_ERROR, "creating service: 'redis' is not a valid service; nothing was written:\n/etc/zinit/redis.yaml:1:1: exec is required"],
  [ServiceContentError.unparsable('redis', '/etc/zinit/redis.yaml:2:1: bad indentation'), ErrorCode.CONFIG_ERROR, 'getting service: failed to parse YAML: /etc/zinit/redis.yaml:2:1: bad indentation'],
  [new InvalidStateTransitionError('Running', 'spawn'), ErrorCode.INVALID_STATE_TRANSITION, 'illegal state transition: spawn in state Running'],
  [new RequestTooLargeError(1024), ErrorCode.REQUEST_TOO_LARGE, 'request too large: a request exceeded 1024 bytes; the connection is closed'],
  [new TooManyConnectionsError(64), ErrorCode.TOO_MANY_CONNECTIONS, 'too many connections: zinit-ts serves at most 64 clients at once and none is idle; try again later'],
  [new RequestTooDeepError(64), ErrorCode.REQUEST_TOO_DEEP, 'request too deep: arrays and objects may be nested at most 64 levels; the request was skipped'],
  [TooManyStreamsError.perConnection(32), ErrorCode.TOO_MANY_STREAMS, 'too many streams: at most 32 subscriptions may be open on one connection; open another connection'],
  [TooManyStreamsError.logFollowers(1024), ErrorCode.TOO_MANY_STREAMS, 'too many log followers: zinit-ts serves at most 1024 at once; close some first'],
  [ConnectionDroppedError.idle(300), ErrorCode.CONNECTION_DROPPED, 'closed: nothing was sent for 300 s; connect again to send a request'],
  [ConnectionDroppedError.evicted(12), ErrorCode.CONNECTION_DROPPED, 'closed: every connection slot was taken and this one had sent nothing for 12 s; connect again to send a request'],
];

test('each error carries its code and its message, and is an RpcError', () => {
  for (const [err, code, message] of CASES) {
    assert.ok(err instanceof RpcError, err.name);
    assert.equal(err.code, code, err.name);
    assert.equal(err.message, message, err.name);
    assert.deepEqual(err.toJSON().code, code);
  }
});

test('no message a client receives names a CLI command', () => {
  for (const [err] of CASES) assert.doesNotMatch(err.message, /`|zinit-ts (list|stop|start)/, err.name);
});

test('every error class is exercised above, and its code is in the catalogue', () => {
  const classes = Object.values(errors).filter((v): v is typeof RpcError => typeof v === 'function' && v.prototype instanceof RpcError && v !== errors.KnownRpcError);
  for (const cls of classes) assert.ok(CASES.some(([err]) => err.constructor === cls), `${cls.name} has a case`);
  for (const [err] of CASES) assert.notEqual(errorCodeName(err.code), undefined, `${err.name}'s code ${err.code} is in the catalogue`);
});

test('data: service errors name the service; limits carry the limit; an error without data has no data key', () => {
  assert.deepEqual(new ServiceNotFoundError('redis').toJSON(), { code: -32000, message: 'service "redis" is not known', data: { service: 'redis' } });
  assert.deepEqual(TooManyStreamsError.perConnection(32).data, { maxStreams: 32 });
  assert.deepEqual(new RequestTooLargeError(9).data, { maxBytes: 9 });
  assert.equal('data' in new ShuttingDownError().toJSON(), false);
  assert.equal('data' in new InternalError('x').toJSON(), false);
});

test('service-file errors carry zinit\'s data: code_name, action, service, hint (zinit-client prints them)', () => {
  assert.deepEqual(new InvalidServiceNameError('deleting service', 'x.y').toJSON(), {
    code: -32602,
    message: "deleting service: invalid service name 'x.y'",
    data: { code_name: 'InvalidServiceName', action: 'deleting service', service: 'x.y', hint: "Name must not contain '/', '\\\\' or '.'" },
  });
  assert.deepEqual(new ServiceAlreadyExistsError('web').data, {
    code_name: 'ServiceAlreadyExists',
    action: 'creating service file',
    service: 'web',
    hint: 'Use a different name or delete the existing service first',
  });
  assert.deepEqual(new ServiceFileMissingError('web', 'get').data, { code_name: 'ServiceNotFound', action: 'reading service file', service: 'web', hint: 'Ensure the service file exists' });
  assert.deepEqual(new ServiceFileMissingError('web', 'delete').data, { code_name: 'ServiceNotFound', action: 'deleting service file', service: 'web', hint: 'Ensure the service file exists' });
  assert.deepEqual(new ServiceFileError('deleting service file', 'web', 'x').data, {
    code_name: 'ServiceFileError',
    action: 'deleting service file',
    service: 'web',
    hint: 'Check permissions and filesystem availability',
  });
  const invalid = ServiceContentError.invalid('web', ['a:1:1: one', 'a:2:1: two']);
  assert.deepEqual(invalid.data, { code_name: 'ConfigError', action: 'validating service config', service: 'web', hint: 'Fix the content as each error says', errors: ['a:1:1: one', 'a:2:1: two'] });
  assert.equal((ServiceContentError.unparsable('web', 'x').data as { code_name: string }).code_name, 'ConfigError');
});

test('the catalogue: zinit\'s numbers, one entry per code, each described', () => {
  assert.equal(ErrorCode.SERVICE_NOT_FOUND, -32000);
  assert.equal(ErrorCode.PROCESS_ERROR, -32011);
  assert.equal(ErrorCode.CONNECTION_DROPPED, -32054);
  const codes = ERROR_CODE_NAMES.map((n) => ErrorCode[n]);
  assert.equal(new Set(codes).size, codes.length);
  for (const n of ERROR_CODE_NAMES) {
    assert.equal(errorCodeName(ErrorCode[n]), n);
    assert.ok(ERROR_DESCRIPTIONS[n].length > 0);
  }
});

test('an illegal state transition is INVALID_STATE_TRANSITION, as zinit answers it', () => {
  assert.throws(
    () => transition('Running', { kind: 'spawn' }),
    (err: unknown) => err instanceof IllegalTransitionError && err instanceof RpcError && err.code === ErrorCode.INVALID_STATE_TRANSITION,
  );
});
