// Calls reboot(2) as PID 1 of a fresh PID namespace (see libc.test.ts); a no-op anywhere else, so it can never reboot a machine.
import { loadLibc } from '../../../src/os/libc.js';

const how = process.argv[2];
const loaded = loadLibc();

// Without an argument this file is being collected by a test runner: nothing to do.
if (how === 'reboot' || how === 'poweroff' || how === 'halt') {
  if ('error' in loaded) {
    process.stderr.write(`${loaded.error}\n`);
    process.exit(2);
  }
  // In the initial namespace PID 1 is the machine's init, never this script: the check keeps the machine up.
  if (loaded.libc.getpid() !== 1) {
    process.stderr.write('refusing to call reboot(2): not PID 1 of a PID namespace\n');
    process.exit(3);
  }
  loaded.libc.reboot(how);
  process.stderr.write('reboot(2) returned\n');
  process.exit(4);
}
