// system_start_http_server and system_stop_http_server: the HTTP front of this same API, behind its token and origin checks.
import type { HandlerDeps, HandlerGroup } from './handler-deps.js';

export function httpHandlers(d: HandlerDeps): HandlerGroup<'system_start_http_server' | 'system_stop_http_server'> {
  return {
    system_start_http_server: (p) => d.http.start(p.address),
    system_stop_http_server: async () => {
      await d.http.stop();
      return null;
    },
  };
}
