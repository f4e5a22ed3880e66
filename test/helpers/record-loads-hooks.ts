// Off-thread loader hooks for record-loads.ts on Node 20: every URL loaded, appended to the file it names.
import fs from 'node:fs';

let out = '';

export function initialize(data: { out: string }): void {
  out = data.out;
}

export async function load(url: string, context: unknown, next: (url: string, context: unknown) => Promise<unknown>): Promise<unknown> {
  fs.appendFileSync(out, `${url}\n`);
  return next(url, context);
}
