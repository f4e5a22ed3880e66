import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fixture } from '../../helpers/paths.js';
import { startDaemon, statusOf, tempDir, waitState, type DaemonHandle } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait-for.js';
import { isAlive } from '../../helpers/proc.js';

let daemon: DaemonHandle | null = null;
const savedOptions = process.env.NODE_OPTIONS;
afterEach(async () => {
  if (savedOptions === undefined) delete process.env.NODE_OPTIONS;
  else process.env.NODE_OPTIONS = savedOptions;
  await daemon?.cleanup();
  daemon = null;
});

test('an uncaught exception in the daemon still stops every service before it exits non-zero', async () => {
  const dir = tempDir();
  const journal = path.join(dir, 'journal');
  const trigger = path.join(dir, 'throw-now');
  // Code loaded into the daemon process only: it throws from a timer once the trigger file appears.
  const source = `import fs from 'node:fs'; const t = setInterval(() => { if (fs.existsSync(${JSON.stringify(trigger)})) { clearInterval(t); throw new Error('injected failure'); } }, 20); t.unref();`;
  const inject = `data:text/javascript,${encodeURIComponent(source)}`;
  process.env.NODE_OPTIONS = `--import=${inject}`;
  daemon = await startDaemon({ a: `exec: ${fixture('svc.sh')} a ${journal}\n`, b: `exec: ${fixture('svc.sh')} b ${journal}\nafter: [a]\n` }, [], { dir });
  delete process.env.NODE_OPTIONS;
  const pids = [(await waitState(daemon, 'a', 'Running')).pid, (await waitState(daemon, 'b', 'Running')).pid];
  fs.writeFileSync(trigger, '');
  assert.equal(await daemon.exited(20_000), 1);
  assert.match(daemon.output(), /uncaught exception; stopping every service .*injected failure/s);
  assert.deepEqual(fs.readFileSync(journal, 'utf8').match(/^stop \w/gm), ['stop b', 'stop a']);
  for (const p of pids) assert.equal(isAlive(p), false);
  assert.match(daemon.output(), /remaining: 0/);
});

test('a command that cannot be executed says why, exits 127 and is retried with backoff', async () => {
  daemon = await startDaemon({ missing: 'exec: /no/such/binary --flag\nrestart_delay: 0.05\n' });
  await waitFor(async () => (await statusOf(daemon!, 'missing')).restarts >= 2, 10_000, 'retries');
  const s = await statusOf(daemon, 'missing');
  assert.deepEqual(s.exit, { code: 127, signal: null });
  assert.match(daemon.output(), /service could not be started service=missing error="command not found: \/no\/such\/binary/);
});
