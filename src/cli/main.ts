#!/usr/bin/env node
// zinit-ts command line: `init` runs the manager; every other command talks to it over the control socket.
import { Command, CommanderError } from 'commander';
import { registerInit } from './commands/init.js';
import { registerServiceCommands } from './commands/services.js';
import { registerObserveCommands } from './commands/observe.js';
import { registerCheck } from './commands/check.js';
import { registerRun } from './commands/run.js';
import { CliError } from './connect.js';

const program = new Command();
program
  .name('zinit-ts')
  .description('service manager and init: dependency order, supervision, clean shutdown, exact exit codes')
  .version('0.1.0')
  .option('-s, --socket <path>', 'control socket (env ZINIT_SOCKET; default /var/run/zinit.sock)')
  .enablePositionalOptions()
  .showHelpAfterError()
  .exitOverride();

const globals = (): { socket?: string } => program.opts<{ socket?: string }>();
registerInit(program, globals);
registerServiceCommands(program, globals);
registerObserveCommands(program, globals);
registerCheck(program);
registerRun(program, globals);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else if (err instanceof CliError) {
    process.stderr.write(`zinit-ts: ${err.message}\n`);
    process.exitCode = err.exitCode;
  } else {
    process.stderr.write(`zinit-ts: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
