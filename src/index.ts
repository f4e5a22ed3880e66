// The package's entry for Node programs: a typed client of zinit-ts's control socket, its errors and the API's types.
export { connect, ZinitClient, DEFAULT_SOCKET_PATH, type CallArgs, type TypedSubscription, type ZinitConnectOptions } from './ipc/zinit-client.js';
export { RpcClient, type CallOptions, type ConnectOptions } from './ipc/client.js';
export { TransportError, type TransportErrorKind } from './ipc/transport-error.js';
export * from './errors/errors.js';
export { ErrorCode, ERROR_DESCRIPTIONS, errorCodeName, type ErrorCodeName } from './errors/codes.js';
export type { Item, MethodName, Methods, Params, Result, SubscriptionName } from './ipc/api.js';
export type { ReloadResult, RunExit, RunItem, RunOptions, ServiceStats, ShutdownOutcome, StatusJson } from './ipc/api-results.js';
