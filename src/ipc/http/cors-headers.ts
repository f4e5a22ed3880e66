// CORS headers, sent only for an allow-listed origin: on each answer, and on the answer to its preflight.

/** On every answer to an allow-listed page. */
export function corsHeaders(origin: string): Record<string, string> {
  return { 'access-control-allow-origin': origin, vary: 'Origin' };
}

/** The preflight's answer: POST with a token and a JSON body may follow. */
export function preflightHeaders(origin: string, privateNetwork: boolean): Record<string, string> {
  return {
    ...corsHeaders(origin),
    'access-control-allow-methods': 'POST',
    'access-control-allow-headers': 'Authorization, Content-Type',
    'access-control-max-age': '600',
    // Chrome asks before a public page may reach a private address; listed means the operator agreed.
    ...(privateNetwork ? { 'access-control-allow-private-network': 'true' } : {}),
  };
}
