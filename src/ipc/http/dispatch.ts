// How the HTTP listener has a request's JSON answered: in the daemon by its method table, in the proxy by the control socket.

/**
 * Answers a parsed JSON-RPC message (a request, a notification or a batch): the JSON text to send
 * back, or null when it called for no answer (notifications only). `signal` aborts when the
 * client has gone away.
 */
export type Dispatch = (message: unknown, signal: AbortSignal) => Promise<string | null>;
