// One class per kind of error a client can be answered with, each with its JSON-RPC code, its data and its message (every message is worded here).
import { ErrorCode, type ErrorCodeNumber } from './codes.js';

/** An error as it goes on the wire: the JSON-RPC error object. */
export interface ErrorObject {
  readonly code: number;
  readonly message: string;
  readonly data?: unknown;
}

/**
 * An error as the wire carries it. The subclasses below are what zinit-ts throws; the base is
 * also what a client decodes an answer into (any code, any message).
 */
export class RpcError extends Error {
  override name = 'RpcError';
  readonly code: number;
  // Declared, not defined: an error without data has no `data` key at all.
  declare readonly data?: unknown;

  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.code = code;
    if (data !== undefined) this.data = data;
  }

  toJSON(): ErrorObject {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }
}

/** An error whose code is fixed by its class (its type narrows `code` to that number). */
export abstract class KnownRpcError<C extends ErrorCodeNumber> extends RpcError {
  declare readonly code: C;
  constructor(code: C, message: string, data?: unknown) {
    super(code, message, data);
  }
}

export class ParseError extends KnownRpcError<typeof ErrorCode.PARSE_ERROR> {
  override name = 'ParseError';
  constructor(detail: string) {
    super(ErrorCode.PARSE_ERROR, `parse error: ${detail}`);
  }
}

export class InvalidRequestError extends KnownRpcError<typeof ErrorCode.INVALID_REQUEST> {
  override name = 'InvalidRequestError';
  constructor(why: string) {
    super(ErrorCode.INVALID_REQUEST, `invalid request: ${why}`);
  }
}

export class MethodNotFoundError extends KnownRpcError<typeof ErrorCode.METHOD_NOT_FOUND> {
  override name = 'MethodNotFoundError';
  /** `near`: a method whose name differs only in case or separators, suggested in the message. */
  constructor(method: string, near?: string) {
    super(ErrorCode.METHOD_NOT_FOUND, `method not found: "${method}"${near === undefined ? '' : `; did you mean "${near}"?`}`);
  }
}

export class InvalidParamsError extends KnownRpcError<typeof ErrorCode.INVALID_PARAMS> {
  override name = 'InvalidParamsError';
  /** With a method, the message says which method's params are wrong. */
  constructor(method: string | null, detail: string, data?: Readonly<Record<string, unknown>>) {
    super(ErrorCode.INVALID_PARAMS, method === null ? detail : `invalid params for ${method}: ${detail}`, data);
  }
}

export class InternalError extends KnownRpcError<typeof ErrorCode.INTERNAL_ERROR> {
  override name = 'InternalError';
  constructor(message: string) {
    super(ErrorCode.INTERNAL_ERROR, message);
  }

  static unencodable(detail: string): InternalError {
    return new InternalError(`the answer could not be encoded as JSON: ${detail}`);
  }
}

export class ServiceNotFoundError extends KnownRpcError<typeof ErrorCode.SERVICE_NOT_FOUND> {
  override name = 'ServiceNotFoundError';
  constructor(readonly service: string) {
    super(ErrorCode.SERVICE_NOT_FOUND, `service "${service}" is not known`, { service });
  }
}

export class ServiceAlreadyMonitoredError extends KnownRpcError<typeof ErrorCode.SERVICE_ALREADY_MONITORED> {
  override name = 'ServiceAlreadyMonitoredError';
  constructor(readonly service: string) {
    super(ErrorCode.SERVICE_ALREADY_MONITORED, `service "${service}" is already monitored`, { service });
  }
}

/** Asked to drop what is not stopped (a start of what runs is a silent success, as in zinit). */
export class ServiceIsUpError extends KnownRpcError<typeof ErrorCode.SERVICE_IS_UP> {
  override name = 'ServiceIsUpError';
  constructor(readonly service: string) {
    super(ErrorCode.SERVICE_IS_UP, `service "${service}" is not stopped`, { service });
  }
}

/** `signal`: asked to signal a service with no process; `sample`: asked for its usage. */
export type ServiceDownRefusal = 'signal' | 'sample';

export class ServiceIsDownError extends KnownRpcError<typeof ErrorCode.SERVICE_IS_DOWN> {
  override name = 'ServiceIsDownError';
  constructor(
    readonly service: string,
    readonly refusal: ServiceDownRefusal,
  ) {
    super(ErrorCode.SERVICE_IS_DOWN, `service "${service}" has no running process${refusal === 'signal' ? ' to signal' : ''}`, { service });
  }
}

export class InvalidSignalError extends KnownRpcError<typeof ErrorCode.INVALID_SIGNAL> {
  override name = 'InvalidSignalError';
  constructor(readonly signal: string) {
    super(ErrorCode.INVALID_SIGNAL, `"${signal}" is not a signal; use a name such as SIGTERM, HUP or usr1`, { signal });
  }
}

export class ServiceConfigError extends KnownRpcError<typeof ErrorCode.CONFIG_ERROR> {
  override name = 'ServiceConfigError';
  /** `problems`: each error of the file, already formatted; the message lists them a line each. */
  constructor(
    readonly service: string,
    problems: readonly string[],
  ) {
    super(ErrorCode.CONFIG_ERROR, problems.join('\n') || `cannot load service "${service}"`, { service });
  }
}

/** What zinit puts in the data of its service-file errors, so its clients can name the kind and show the hint. */
function zinitDetails(codeName: string, action: string, service: string, hint: string): Record<string, unknown> {
  return { code_name: codeName, action, service, hint };
}

/** zinit's hint for a refused name, word for word (two backslashes: zinit escapes it twice). */
const ZINIT_NAME_HINT = "Name must not contain '/', '\\\\' or '.'";

/** A name that create, get, delete and monitor refuse (zinit refuses "/", "\\" and "."): INVALID_PARAMS with zinit's data. */
export class InvalidServiceNameError extends KnownRpcError<typeof ErrorCode.INVALID_PARAMS> {
  override name = 'InvalidServiceNameError';
  /** `action`: zinit's words for what was asked ("creating service"); `hint`: what a name must be. */
  constructor(
    readonly action: string,
    readonly service: string,
    hint: string = ZINIT_NAME_HINT,
  ) {
    super(ErrorCode.INVALID_PARAMS, `${action}: invalid service name '${service}'`, zinitDetails('InvalidServiceName', action, service, hint));
  }
}

export class ServiceAlreadyExistsError extends KnownRpcError<typeof ErrorCode.SERVICE_ALREADY_EXISTS> {
  override name = 'ServiceAlreadyExistsError';
  constructor(readonly service: string) {
    super(
      ErrorCode.SERVICE_ALREADY_EXISTS,
      `creating service: Service '${service}' already exists`,
      zinitDetails('ServiceAlreadyExists', 'creating service file', service, 'Use a different name or delete the existing service first'),
    );
  }
}

/** `get` or `delete` of a name with no file in the config directory (a loaded service without a file included). */
export class ServiceFileMissingError extends KnownRpcError<typeof ErrorCode.SERVICE_NOT_FOUND> {
  override name = 'ServiceFileMissingError';
  constructor(
    readonly service: string,
    asked: 'get' | 'delete',
  ) {
    const [action, step] = asked === 'get' ? ['getting service', 'reading service file'] : ['deleting service', 'deleting service file'];
    super(ErrorCode.SERVICE_NOT_FOUND, `${action}: Service '${service}' not found`, zinitDetails('ServiceNotFound', step, service, 'Ensure the service file exists'));
  }
}

/** The config directory refused a read, write or removal; `detail` says what the system answered. */
export class ServiceFileError extends KnownRpcError<typeof ErrorCode.SERVICE_FILE_ERROR> {
  override name = 'ServiceFileError';
  constructor(
    readonly action: string,
    readonly service: string,
    detail: string,
  ) {
    super(ErrorCode.SERVICE_FILE_ERROR, `${action}: ${detail}`, zinitDetails('ServiceFileError', action, service, 'Check permissions and filesystem availability'));
  }
}

/** Content that is not a valid service (create), or a file that is not YAML (get): CONFIG_ERROR with zinit's data. */
export class ServiceContentError extends KnownRpcError<typeof ErrorCode.CONFIG_ERROR> {
  override name = 'ServiceContentError';
  private constructor(message: string, data: Record<string, unknown>) {
    super(ErrorCode.CONFIG_ERROR, message, data);
  }

  /** `problems`: each one file:line:column and how to fix it, as `check` prints them; also in `data.errors`. */
  static invalid(service: string, problems: readonly string[]): ServiceContentError {
    return new ServiceContentError(`creating service: '${service}' is not a valid service; nothing was written:\n${problems.join('\n')}`, {
      ...zinitDetails('ConfigError', 'validating service config', service, 'Fix the content as each error says'),
      errors: [...problems],
    });
  }

  static unparsable(service: string, detail: string): ServiceContentError {
    return new ServiceContentError(`getting service: failed to parse YAML: ${detail}`, zinitDetails('ConfigError', 'parsing service file', service, 'Ensure the YAML is valid'));
  }
}

export class ShuttingDownError extends KnownRpcError<typeof ErrorCode.SHUTTING_DOWN> {
  override name = 'ShuttingDownError';
  constructor() {
    super(ErrorCode.SHUTTING_DOWN, 'zinit-ts is shutting down');
  }
}

export class InvalidStateTransitionError extends KnownRpcError<typeof ErrorCode.INVALID_STATE_TRANSITION> {
  override name = 'InvalidStateTransitionError';
  constructor(from: string, event: string) {
    super(ErrorCode.INVALID_STATE_TRANSITION, `illegal state transition: ${event} in state ${from}`, { state: from, event });
  }
}

export class RequestTooLargeError extends KnownRpcError<typeof ErrorCode.REQUEST_TOO_LARGE> {
  override name = 'RequestTooLargeError';
  constructor(maxBytes: number) {
    super(ErrorCode.REQUEST_TOO_LARGE, `request too large: a request exceeded ${maxBytes} bytes; the connection is closed`, { maxBytes });
  }
}

export class TooManyConnectionsError extends KnownRpcError<typeof ErrorCode.TOO_MANY_CONNECTIONS> {
  override name = 'TooManyConnectionsError';
  constructor(maxConnections: number) {
    super(
      ErrorCode.TOO_MANY_CONNECTIONS,
      `too many connections: zinit-ts serves at most ${maxConnections} clients at once and none is idle; try again later`,
    );
  }
}

export class RequestTooDeepError extends KnownRpcError<typeof ErrorCode.REQUEST_TOO_DEEP> {
  override name = 'RequestTooDeepError';
  constructor(maxDepth: number) {
    super(
      ErrorCode.REQUEST_TOO_DEEP,
      `request too deep: arrays and objects may be nested at most ${maxDepth} levels; the request was skipped`,
      { maxDepth },
    );
  }
}

export class TooManyStreamsError extends KnownRpcError<typeof ErrorCode.TOO_MANY_STREAMS> {
  override name = 'TooManyStreamsError';
  private constructor(message: string, data: Readonly<Record<string, number>>) {
    super(ErrorCode.TOO_MANY_STREAMS, message, data);
  }

  /** The cap on subscriptions open on one connection. */
  static perConnection(maxStreams: number): TooManyStreamsError {
    return new TooManyStreamsError(
      `too many streams: at most ${maxStreams} subscriptions may be open on one connection; open another connection`,
      { maxStreams },
    );
  }

  /** The cap on log followers across every connection. */
  static logFollowers(maxFollowers: number): TooManyStreamsError {
    return new TooManyStreamsError(`too many log followers: zinit-ts serves at most ${maxFollowers} at once; close some first`, { maxFollowers });
  }
}

export class ConnectionDroppedError extends KnownRpcError<typeof ErrorCode.CONNECTION_DROPPED> {
  override name = 'ConnectionDroppedError';
  private constructor(message: string) {
    super(ErrorCode.CONNECTION_DROPPED, message);
  }

  /** The connection sent nothing for the idle timeout. */
  static idle(idleSeconds: number): ConnectionDroppedError {
    return new ConnectionDroppedError(`closed: nothing was sent for ${idleSeconds} s; connect again to send a request`);
  }

  /** Every slot was taken, and this connection was the idlest. */
  static evicted(idleSeconds: number): ConnectionDroppedError {
    return new ConnectionDroppedError(
      `closed: every connection slot was taken and this one had sent nothing for ${idleSeconds} s; connect again to send a request`,
    );
  }
}
