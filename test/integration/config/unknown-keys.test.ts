// A file with a key zinit would ignore boots, runs and says so: a warning in the log once and in status; check still refuses it.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, startDaemon, statusOf, waitState, type DaemonHandle } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait-for.js';
import { isAlive } from '../../helpers/proc.js';

let daemon: DaemonHandle | null = null;
afterEach(async () => {
  await daemon?.cleanup();
  daemon = null;
});

type WithWarnings = Awaited<ReturnType<typeof statusOf>> & { warnings: string[] };
const statusWithWarnings = async (d: DaemonHandle, name: string): Promise<WithWarnings> => (await statusOf(d, name)) as WithWarnings;
const count = (text: string, needle: string): number => text.split(needle).length - 1;

test('an unknown key: the service boots and runs, status shows the warning, the log has it once; monitor and reload too', async () => {
  daemon = await startDaemon({
    typo: 'name: typo\nexec: sleep 1000\nshutdown_timeot: 3\n',
    clean: 'exec: sleep 1000\nafter: [typo]\n',
  });
  const typo = await waitState(daemon, 'typo', 'Running');
  assert.equal(isAlive(typo.pid), true);
  await waitState(daemon, 'clean', 'Running');
  const file = path.join(daemon.configDir, 'typo.yaml');
  const warning = `${file}:3:1: unknown key "shutdown_timeot"; did you mean shutdown_timeout?`;
  assert.deepEqual((await statusWithWarnings(daemon, 'typo')).warnings, [warning]);
  assert.deepEqual((await statusWithWarnings(daemon, 'clean')).warnings, []);
  const human = await daemon.cli(['status', 'typo']);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, new RegExp(`^warnings: ${warning.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
  assert.doesNotMatch((await daemon.cli(['status', 'clean'])).stdout, /warnings:/);
  assert.equal(count(daemon.output(), warning), 1, `logged once:\n${daemon.output()}`);
  const listed = JSON.parse((await daemon.cli(['list', '--json'])).stdout) as { name: string; warnings: string[] }[];
  assert.deepEqual(listed.map((s) => [s.name, s.warnings.length]), [['clean', 0], ['typo', 1]]);

  // monitor: a new file with an unknown key under signal loads and starts.
  fs.writeFileSync(path.join(daemon.configDir, 'later.yaml'), 'exec: sleep 1000\nsignal:\n  stop: SIGTERM\n  reload: SIGHUP\n');
  const monitor = await daemon.cli(['monitor', 'later']);
  assert.equal(monitor.code, 0, monitor.stderr);
  await waitState(daemon, 'later', 'Running');
  const laterWarning = `${path.join(daemon.configDir, 'later.yaml')}:4:3: unknown key signal.reload; the only key under signal is stop`;
  assert.deepEqual((await statusWithWarnings(daemon, 'later')).warnings, [laterWarning]);
  await waitFor(() => count(daemon!.output(), laterWarning) === 1, 5_000, 'the monitor warning in the log');

  // reload: the fixed file loses its warning, and the service is not restarted for it.
  fs.writeFileSync(file, 'name: typo\nexec: sleep 1000\n');
  const reload = await daemon.cli(['reload']);
  assert.equal(reload.code, 0, reload.stderr);
  const after = await statusWithWarnings(daemon, 'typo');
  assert.deepEqual(after.warnings, []);
  assert.equal(after.pid, typo.pid, 'same process: only the warning changed');
  assert.deepEqual((await statusWithWarnings(daemon, 'later')).warnings, [laterWarning], 'a file read again keeps its warning');
  assert.equal(count(daemon.output(), laterWarning), 2, 'and the reload logged it again, once');

  // check, on the same directory, still fails on the unknown key.
  const check = await runCli(['check', '-c', daemon.configDir]);
  assert.equal(check.code, 1);
  assert.match(check.stdout, /^2 service\(s\) valid, 1 invalid$/m);
  assert.equal(check.stderr, `${laterWarning}\n`);
});

test('a name: that differs from the file name keeps the service out, with the reason; its dependents wait', async () => {
  daemon = await startDaemon({ api: 'name: web\nexec: sleep 1000\n', front: 'exec: sleep 1000\nafter: [api]\n', fine: 'exec: sleep 1000\n' });
  await waitState(daemon, 'fine', 'Running');
  const front = await waitState(daemon, 'front', 'Blocked');
  assert.match(front.reason ?? '', /"api" has an invalid service file/);
  assert.match(daemon.output(), /api\.yaml:1:7: name "web" differs from the service name "api", which comes from the file name api\.yaml; write name: api, or remove the key, or rename api\.yaml to web\.yaml/);
});
