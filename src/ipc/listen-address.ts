// ADDR:PORT for the metrics endpoint, checked before anything heavy is loaded.

/** Parses ADDR:PORT (IPv6 in brackets); throws a message that says how to write it. */
export function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value);
  const port = Number(m?.[3]);
  if (!m || !(port >= 0 && port < 65536)) throw new Error(`--metrics takes ADDR:PORT such as 127.0.0.1:9100 or [::1]:9100, got "${value}"`);
  return { host: m[1] ?? m[2] ?? '127.0.0.1', port };
}
