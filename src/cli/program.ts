// Every command through commander: help, errors with suggestions, and the commands that are not quick (init among them).
import { Command, CommanderError, Option } from 'commander';
import { registerInit } from './commands/init.js';
import { registerServiceCommands } from './commands/services.js';
import { registerObserveCommands } from './commands/observe.js';
import { registerCheck } from './commands/check.js';
import { registerRun } from './commands/run.js';
import { listServices } from './commands/query.js';
import { socketPath, type GlobalOptions } from './connect.js';
import { registerProxy } from './commands/proxy.js';
import { endWhenReaderLeaves, reportFailure } from './cli-error.js';
import { VERSION } from '../version.js';

declare module 'commander' {
  interface Command {
    /** Commander's own "unknown command" error, with its did-you-mean (untyped in its declarations). */
    unknownCommand(): never;
  }
}

/** Any failure to parse the command line, as zinit's parser ends it: exit 1. */
export const USAGE_EXIT_CODE = 1;

/** Where the parser's own words go (help, version, usage errors, a failure's line); a command's output goes to stdout. */
export interface ParserOutput {
  readonly writeOut: (text: string) => void;
  readonly writeErr: (text: string) => void;
}

const PROCESS_OUTPUT: ParserOutput = { writeOut: (text) => process.stdout.write(text), writeErr: (text) => process.stderr.write(text) };

/** Parses `argv` (node, script, arguments…) and runs the command; never rejects. */
export async function runProgram(argv: readonly string[], output: ParserOutput = PROCESS_OUTPUT): Promise<void> {
  const program = new Command();
  program
    .configureOutput(output)
    .name('zinit-ts')
    .description('service manager and init: dependency order, supervision, clean shutdown, exact exit codes')
    .version(VERSION)
    .option('-s, --socket <path>', 'control socket (env ZINIT_SOCKET; default /var/run/zinit.sock)')
    .option('-d, --debug', 'debug mode: `init` logs at debug level (accepted by every command, as zinit does)')
    .enablePositionalOptions()
    .showHelpAfterError()
    .exitOverride()
    // The daemon's own output is its logger's to handle: a closed stdout must never end PID 1.
    .hook('preAction', (_program, command) => {
      if (command.name() !== 'init') endWhenReaderLeaves();
    });

  const globals = (): GlobalOptions => {
    const own = program.opts<GlobalOptions>();
    return { ...own, debug: own.debug === true || program.commands.some((c) => c.opts<GlobalOptions>().debug === true) };
  };
  registerInit(program, globals);
  registerServiceCommands(program, globals);
  registerObserveCommands(program, globals);
  registerCheck(program);
  registerRun(program, globals);
  registerProxy(program, globals);

  // `-d` after the command name too: commands take their own options there.
  for (const command of program.commands) command.addOption(new Option('-d, --debug').hideHelp());

  // No command is `list`, as with zinit; anything else that names no command is commander's "unknown command".
  // Set after the commands exist, so that they do not inherit them: `help` would otherwise stop being implied.
  program
    .helpCommand(true)
    .allowExcessArguments()
    .action(async (_options: unknown, self: Command) => {
      if (self.args.length > 0) self.unknownCommand();
      await listServices(socketPath(globals().socket), {});
    });

  try {
    await program.parseAsync(argv);
  } catch (err) {
    // Commander has printed its message (or the help) already.
    if (err instanceof CommanderError) process.exitCode = err.exitCode === 0 ? 0 : USAGE_EXIT_CODE;
    else reportFailure(err, output.writeErr);
  }
}
