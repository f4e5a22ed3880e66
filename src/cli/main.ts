#!/usr/bin/env node
// zinit-ts command line: `init` runs the manager; every other command talks to it over the control socket.
import { endWhenReaderLeaves, reportFailure } from './cli-error.js';
import { parseQuickCommand } from './quick-command.js';
import { runHandedOff, takeHandoff } from './init-handoff.js';

// `init` re-executed by itself (to apply the heap limit) with its options already parsed: straight to the daemon.
const handoff = takeHandoff(process.argv.slice(2));
// `list` and `status` are what scripts and health checks run over and over: they load the socket
// client and the formatter only. Everything else (and every doubtful argument) goes through
// commander in program.js, which reports its own failures.
const quick = handoff === null ? parseQuickCommand(process.argv.slice(2)) : null;
if (handoff !== null) {
  try {
    await runHandedOff(handoff);
  } catch (err) {
    reportFailure(err);
  }
} else if (quick === null) {
  const { runProgram } = await import('./program.js');
  await runProgram(process.argv);
} else {
  endWhenReaderLeaves();
  try {
    const [{ listServices, serviceStatus }, { socketPath }] = await Promise.all([import('./commands/query.js'), import('./connect.js')]);
    const socket = socketPath(quick.socket);
    if (quick.command === 'list') await listServices(socket, quick);
    else await serviceStatus(socket, quick.name, quick);
  } catch (err) {
    reportFailure(err);
  }
}
