// What the operator decides about an HTTP listener (daemon or proxy): remote clients, the token file, the pages allowed to call.

export interface HttpOptions {
  /** Bind addresses other than loopback (`--http-allow-remote`). */
  readonly allowRemote: boolean;
  /** `--http-token-file`; null: a file beside the control socket, created when missing. */
  readonly tokenFile: string | null;
  /** `--http-allow-origin`, each as browsers write an origin. */
  readonly allowOrigins: readonly string[];
}

export const DEFAULT_HTTP_OPTIONS: HttpOptions = { allowRemote: false, tokenFile: null, allowOrigins: [] };
