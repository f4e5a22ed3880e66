// Where the control socket is: the one default, and the order in which a client finds it.

/** zinit's own path, so zinit's tools find zinit-ts where they look. */
export const DEFAULT_SOCKET_PATH = '/var/run/zinit.sock';

/** The path given, else `ZINIT_SOCKET` from the environment, else the default. */
export function socketPath(given?: string): string {
  return given ?? process.env.ZINIT_SOCKET ?? DEFAULT_SOCKET_PATH;
}
