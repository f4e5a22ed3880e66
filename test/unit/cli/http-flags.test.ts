// The HTTP flags init and proxy share: repeatable origins normalised, defaults off, a bad origin a usage error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { addHttpFlags, httpOptionsOf, type HttpFlagValues } from '../../../src/cli/http-flags.js';
import { CliError } from '../../../src/cli/cli-error.js';

function parse(args: string[]): HttpFlagValues {
  const c = addHttpFlags(new Command().exitOverride());
  c.parse(args, { from: 'user' });
  return c.opts<HttpFlagValues>();
}

test('off by default; every --http-allow-origin kept, as browsers write origins', () => {
  assert.deepEqual(httpOptionsOf(parse([])), { allowRemote: false, tokenFile: null, allowOrigins: [] });
  assert.deepEqual(httpOptionsOf(parse(['--http-allow-remote', '--http-token-file', '/t', '--http-allow-origin', 'http://a.example/', '--http-allow-origin', 'https://B.example:443'])), {
    allowRemote: true,
    tokenFile: '/t',
    allowOrigins: ['http://a.example', 'https://b.example'],
  });
});

test('an origin that is not one is a usage error (exit 1, as every usage error)', () => {
  assert.throws(() => httpOptionsOf(parse(['--http-allow-origin', '*'])), (e: unknown) => e instanceof CliError && e.exitCode === 1 && /takes a web origin/.test(e.message));
});
