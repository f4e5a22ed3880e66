// Recognises the plain forms of `list` and `status NAME`, which run without loading the argument parser; anything else is commander's.

export type QuickCommand =
  | { readonly command: 'list'; readonly socket: string | undefined; readonly json: boolean }
  | { readonly command: 'status'; readonly socket: string | undefined; readonly name: string; readonly json: boolean };

/**
 * `[-s PATH | --socket PATH | --socket=PATH | -d | --debug]… list [--json]` (or no command at
 * all, which is `list`) and `… status NAME [--json]`, as commander reads them; null for every
 * other argument list (help, a typo, an extra argument, an argument that begins with `-`), which
 * then goes to the full parser and gets its exact message. Returning null is always safe, so this
 * recognises only what it can read without doubt.
 */
export function parseQuickCommand(argv: readonly string[]): QuickCommand | null {
  let socket: string | undefined;
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i] as string;
    // Debug mode changes nothing for these two (zinit's too only raises init's log level).
    if (a === '-d' || a === '--debug') continue;
    let value: string | undefined;
    if (a === '-s' || a === '--socket') value = argv[++i];
    else if (a.startsWith('--socket=')) value = a.slice('--socket='.length);
    else break;
    if (value === undefined || value === '' || value.startsWith('-')) return null;
    socket = value;
  }
  if (i === argv.length) return { command: 'list', socket, json: false };
  const command = argv[i];
  const rest = argv.slice(i + 1);
  const json = rest.at(-1) === '--json';
  const args = json ? rest.slice(0, -1) : rest;
  if (args.some((a) => a.startsWith('-'))) return null;
  if (command === 'list' && args.length === 0) return { command, socket, json };
  if (command === 'status' && args.length === 1) return { command, socket, name: args[0] as string, json };
  return null;
}
