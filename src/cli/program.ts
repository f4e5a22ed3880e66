// Every command through commander: help, errors with suggestions, and the commands that are not quick (init among them).
import { Command, CommanderError } from 'commander';
import { registerInit } from './commands/init.js';
import { registerServiceCommands } from './commands/services.js';
import { registerObserveCommands } from './commands/observe.js';
import { registerCheck } from './commands/check.js';
import { registerRun } from './commands/run.js';
import { registerProxy } from './commands/proxy.js';
import { endWhenReaderLeaves, reportFailure } from './cli-error.js';
import { VERSION } from '../version.js';

/** Parses `argv` (node, script, arguments…) and runs the command; never rejects. */
export async function runProgram(argv: readonly string[]): Promise<void> {
  const program = new Command();
  program
    .name('zinit-ts')
    .description('service manager and init: dependency order, supervision, clean shutdown, exact exit codes')
    .version(VERSION)
    .option('-s, --socket <path>', 'control socket (env ZINIT_SOCKET; default /var/run/zinit.sock)')
    .enablePositionalOptions()
    .showHelpAfterError()
    .exitOverride()
    // The daemon's own output is its logger's to handle: a closed stdout must never end PID 1.
    .hook('preAction', (_program, command) => {
      if (command.name() !== 'init') endWhenReaderLeaves();
    });

  const globals = (): { socket?: string } => program.opts<{ socket?: string }>();
  registerInit(program, globals);
  registerServiceCommands(program, globals);
  registerObserveCommands(program, globals);
  registerCheck(program);
  registerRun(program, globals);
  registerProxy(program, globals);

  try {
    await program.parseAsync(argv);
  } catch (err) {
    // Commander has printed its message (or the help) already.
    if (err instanceof CommanderError) process.exitCode = err.exitCode === 0 ? 0 : 2;
    else reportFailure(err);
  }
}
