// The JSON-RPC error codes, once: number, name and one-line summary (for OpenRPC and for anyone who has only the number).

/*
 * The standard codes come from the JSON-RPC 2.0 specification; -32000 to -32011 are zinit's
 * (same numbers, same meaning, so zinit clients keep working); zinit-ts's own start at -32050,
 * clear of any range zinit has used.
 */
const CATALOGUE = {
  /** The connection stays open. */
  PARSE_ERROR: { code: -32700, summary: 'The line is not valid JSON' },
  /** Valid JSON but not a request object (bad jsonrpc, method or id). */
  INVALID_REQUEST: { code: -32600, summary: 'The JSON is not a valid request object' },
  METHOD_NOT_FOUND: { code: -32601, summary: 'The method does not exist' },
  INVALID_PARAMS: { code: -32602, summary: 'A parameter is missing, unknown or of the wrong type' },
  /** Its message is the failure's own. */
  INTERNAL_ERROR: { code: -32603, summary: 'The method failed unexpectedly' },
  SERVICE_NOT_FOUND: { code: -32000, summary: 'The service does not exist' },
  /** `monitor` of a service already loaded. */
  SERVICE_ALREADY_MONITORED: { code: -32001, summary: 'The service is already monitored' },
  /** E.g. `forget` of a running service, `start` of a running one. */
  SERVICE_IS_UP: { code: -32002, summary: 'The service is up' },
  /** E.g. `kill` or `stats` of a service with no process. */
  SERVICE_IS_DOWN: { code: -32003, summary: 'The service is down' },
  INVALID_SIGNAL: { code: -32004, summary: 'The signal name is not valid' },
  CONFIG_ERROR: { code: -32005, summary: 'The service file does not load or validate' },
  SHUTTING_DOWN: { code: -32006, summary: 'The manager is shutting down' },
  SERVICE_ALREADY_EXISTS: { code: -32007, summary: 'The service file already exists' },
  SERVICE_FILE_ERROR: { code: -32008, summary: 'The service file cannot be read, written or removed' },
  INVALID_STATE_TRANSITION: { code: -32009, summary: 'The request asks for an illegal state change' },
  DEPENDENCY_ERROR: { code: -32010, summary: 'A dependency is missing or blocks the request' },
  PROCESS_ERROR: { code: -32011, summary: 'Spawning or signalling a process failed' },
  REQUEST_TOO_LARGE: { code: -32050, summary: 'A request line exceeded the size limit; the connection is closed' },
  TOO_MANY_CONNECTIONS: { code: -32051, summary: 'The connection limit is reached; the connection is closed' },
  /** The connection stays open. */
  REQUEST_TOO_DEEP: { code: -32052, summary: 'Arrays and objects in the request are nested past the depth limit' },
  TOO_MANY_STREAMS: { code: -32053, summary: 'Too many subscriptions are open on this connection' },
  CONNECTION_DROPPED: { code: -32054, summary: 'The server closed the connection (idle, evicted to admit another client, or not reading)' },
  /** Answered with an HTTP status (401, 403, 405, 415): nothing was run. */
  HTTP_REFUSED: { code: -32055, summary: 'The HTTP request was refused before any method ran (Host, Origin, token or content type)' },
} as const;

export type ErrorCodeName = keyof typeof CATALOGUE;

export const ERROR_CODE_NAMES = Object.keys(CATALOGUE) as readonly ErrorCodeName[];

/** Name to number: `ErrorCode.SERVICE_NOT_FOUND` is -32000. */
export const ErrorCode = Object.fromEntries(ERROR_CODE_NAMES.map((n) => [n, CATALOGUE[n].code])) as {
  readonly [N in ErrorCodeName]: (typeof CATALOGUE)[N]['code'];
};

export type ErrorCodeNumber = (typeof ErrorCode)[ErrorCodeName];

/** One line per code, by name. */
export const ERROR_DESCRIPTIONS = Object.fromEntries(ERROR_CODE_NAMES.map((n) => [n, CATALOGUE[n].summary])) as Readonly<
  Record<ErrorCodeName, string>
>;

const NAME_BY_CODE = new Map<number, ErrorCodeName>(ERROR_CODE_NAMES.map((n) => [CATALOGUE[n].code, n]));

/** The name of a code, or undefined for a number outside the catalogue. */
export function errorCodeName(code: number): ErrorCodeName | undefined {
  return NAME_BY_CODE.get(code);
}
