// Parsing the command line: every usage error ends in exit 1 (as zinit's parser ends it) with commander's message; help and version in 0.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { runProgram } from '../../../src/cli/program.js';

afterEach(() => {
  process.exitCode = undefined;
});

/** Runs the parser on `args`, its output captured; nothing here reaches a daemon. */
async function parse(args: readonly string[]): Promise<{ code: number | string | undefined; out: string; err: string }> {
  let out = '';
  let err = '';
  process.exitCode = undefined;
  await runProgram(['node', 'zinit-ts', ...args], { writeOut: (text) => (out += text), writeErr: (text) => (err += text) });
  return { code: process.exitCode, out, err };
}

test('unknown commands and options, missing and extra arguments, conflicting options: exit 1, the message, then the help', async () => {
  const cases: [string[], RegExp][] = [
    [['lis'], /^error: unknown command 'lis'\n\(Did you mean list\?\)\n\nUsage: zinit-ts/],
    [['--bogus'], /^error: unknown option '--bogus'/],
    [['-s'], /^error: option '-s, --socket <path>' argument missing/],
    [['stop'], /^error: missing required argument 'name'/],
    [['stop', 'a', 'b'], /^error: too many arguments for 'stop'/],
    [['stop', '--bogus', 'a'], /^error: unknown option '--bogus'/],
    [['status', 'a', '--json', '--yaml'], /^error: option '--json' cannot be used with option '--yaml'/],
    [['stats', 'a', '--yaml', '--json'], /^error: option '--json' cannot be used with option '--yaml'/],
  ];
  for (const [args, message] of cases) {
    const r = await parse(args);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.err, message, args.join(' '));
    assert.equal(r.out, '', args.join(' '));
  }
});

test('bad option values are usage errors too: exit 1 with how to fix them', async () => {
  const r = await parse(['init', '--buffer', 'lots']);
  assert.equal(r.code, 1);
  assert.equal(r.err, 'zinit-ts: --buffer must be a positive whole number of lines, got "lots"\n');
  const env = await parse(['run', '--env', 'NOEQUALS', '--', 'true']);
  assert.deepEqual([env.code, env.err], [1, 'zinit-ts: --env takes KEY=VALUE, got "NOEQUALS"\n']);
});

test('help (of the program, of a command, through `help`) and version: exit 0 on stdout', async () => {
  for (const args of [['--help'], ['-h'], ['help'], ['help', 'stop'], ['stop', '--help'], ['-V'], ['--version']]) {
    const r = await parse(args);
    assert.equal(r.code ?? 0, 0, args.join(' '));
    assert.notEqual(r.out, '', args.join(' '));
    assert.equal(r.err, '', args.join(' '));
  }
  const help = (await parse(['--help'])).out;
  assert.match(help, /-d, --debug +debug mode/);
  assert.match((await parse(['stop', '--help'])).out, /-v, --verbose/);
  for (const cmd of ['list', 'status', 'stats']) assert.match((await parse([cmd, '--help'])).out, /--yaml +zinit's output/, cmd);
  assert.doesNotMatch((await parse(['stop', '--help'])).out, /--debug/, 'the -d a command also takes stays out of its help');
});

test('-d is taken before the command and after its name; the command then runs (and fails here on the missing daemon, exit 1)', async () => {
  for (const args of [['-d', '-s', '/nonexistent/zinit.sock', 'stop', 'web'], ['-s', '/nonexistent/zinit.sock', 'stop', '-d', 'web'], ['-s', '/nonexistent/zinit.sock', '--debug']]) {
    const r = await parse(args);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.err, /^zinit-ts: cannot reach zinit-ts at \/nonexistent\/zinit\.sock/, args.join(' '));
  }
});
