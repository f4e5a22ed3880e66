// The environment a real daemon gives its services, read from /proc of their processes: with user, without, and from which file.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_PATH } from '../../../src/supervisor/service-env.js';
import { startDaemon, tempDir, waitState, type DaemonHandle } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait-for.js';

let daemon: DaemonHandle | null = null;
afterEach(async () => {
  await daemon?.cleanup();
  daemon = null;
});

function environOf(pid: number): Record<string, string> {
  return parseEnviron(fs.readFileSync(`/proc/${pid}/environ`, 'utf8'));
}

function parseEnviron(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of text.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) out[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return out;
}

function uidOf(pid: number): number {
  const m = /^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1]);
}

test('a user: nobody service gets its account, /etc/environment, pass_env and env, and none of the daemon secrets; its probe and post_stop get the same; a service without user inherits them', async () => {
  const passwd = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('nobody:'));
  assert.ok(passwd, 'this system has a nobody user');
  const [, , nobodyUid, , , nobodyHome, nobodyShell] = passwd.split(':');

  const dir = tempDir();
  fs.chmodSync(dir, 0o755);
  // The probe and post_stop run as nobody and write what they were given here.
  const out = path.join(dir, 'out');
  fs.mkdirSync(out);
  fs.chmodSync(out, 0o777);
  const envFile = path.join(dir, 'environment');
  fs.writeFileSync(envFile, '# test system environment\nFROM_ETC_ENVIRONMENT="etc value"\nexport LANG=C.UTF-8\nSHARED=from the file\nOVERRIDDEN=from the file\n');
  const dump = (file: string): string => `sh -c 'cat /proc/$$/environ > ${path.join(out, file)}'`;
  daemon = await startDaemon(
    {
      dropped: `exec: sleep 100020\nuser: nobody\npass_env: [PASSME, NOT_IN_DAEMON]\nenv: {OWN: mine}\ntest: ${dump('probe.env')}\npost_stop: ${dump('post-stop.env')}\n`,
      inherits: 'exec: sleep 100021\nenv: {OWN: theirs, OVERRIDDEN: from env}\n',
    },
    [],
    { dir, env: { ...process.env, AWS_SECRET_ACCESS_KEY: 'do-not-leak-4711', PASSME: 'passed along', SHARED: 'from the daemon', ZINIT_TS_ENVIRONMENT_FILE: envFile } },
  );
  const dropped = await waitState(daemon, 'dropped', 'Running');
  const inherits = await waitState(daemon, 'inherits', 'Running');
  assert.equal(uidOf(dropped.pid), Number(nobodyUid), 'the service runs as nobody');

  const main = environOf(dropped.pid);
  assert.equal(main.AWS_SECRET_ACCESS_KEY, undefined, 'the daemon secret stays behind');
  assert.deepEqual(main, {
    PATH: DEFAULT_PATH,
    HOME: nobodyHome,
    USER: 'nobody',
    LOGNAME: 'nobody',
    SHELL: nobodyShell,
    FROM_ETC_ENVIRONMENT: 'etc value',
    LANG: 'C.UTF-8',
    SHARED: 'from the file',
    OVERRIDDEN: 'from the file',
    PASSME: 'passed along',
    OWN: 'mine',
    ZINIT_TS_SERVICE: 'dropped',
    ZINIT_TS_INSTANCE: main.ZINIT_TS_INSTANCE,
    ZINIT_TS_SOCKET: path.resolve(daemon.socket),
  });
  assert.match(main.ZINIT_TS_INSTANCE ?? '', /^[0-9a-f-]{36}$/);

  // The negative control: the same daemon hands everything to a service without user.
  const other = environOf(inherits.pid);
  assert.equal(other.AWS_SECRET_ACCESS_KEY, 'do-not-leak-4711');
  assert.equal(other.PASSME, 'passed along');
  assert.equal(other.FROM_ETC_ENVIRONMENT, 'etc value');
  assert.equal(other.OWN, 'theirs');
  assert.equal(other.PATH, process.env.PATH, 'a variable the file does not set stays as the daemon has it');
  assert.equal(other.SHARED, 'from the file', "as in zinit, /etc/environment wins over the daemon's environment");
  assert.equal(other.OVERRIDDEN, 'from env', "and the service's env over both");
  assert.equal(other.ZINIT_TS_SERVICE, 'inherits');

  assert.deepEqual(parseEnviron(fs.readFileSync(path.join(out, 'probe.env'), 'utf8')), main, 'the probe got the same environment');
  const stop = await daemon.cli(['stop', 'dropped']);
  assert.equal(stop.code, 0, stop.stderr);
  const postStop = await waitFor(() => {
    const file = path.join(out, 'post-stop.env');
    return fs.existsSync(file) && fs.statSync(file).size > 0 ? fs.readFileSync(file, 'utf8') : null;
  }, 10_000, 'post_stop to write its environment');
  assert.deepEqual(parseEnviron(postStop), main, 'post_stop got the same environment');
});

test('every service gets the environment file as zinit merges it; --environment-file wins over the variable; a missing file is no variables', async () => {
  const dir = tempDir();
  const viaVariable = path.join(dir, 'variable.env');
  const viaFlag = path.join(dir, 'flag.env');
  fs.writeFileSync(viaVariable, 'CHOSEN=the variable\n');
  fs.writeFileSync(viaFlag, '# chosen by the flag\nCHOSEN=the flag\nGREETING="hello there"\nexport DEPLOY=blue\n9LIVES=yes\n');
  daemon = await startDaemon(
    { plain: 'exec: sleep 100022\n', own: 'exec: sleep 100023\nenv: {DEPLOY: green}\n' },
    ['--environment-file', viaFlag],
    { dir, env: { ...process.env, ZINIT_TS_ENVIRONMENT_FILE: viaVariable, GREETING: 'from the daemon' } },
  );
  const plain = environOf((await waitState(daemon, 'plain', 'Running')).pid);
  assert.deepEqual([plain.CHOSEN, plain.GREETING, plain.DEPLOY, plain['9LIVES']], ['the flag', 'hello there', 'blue', 'yes']);
  assert.equal(environOf((await waitState(daemon, 'own', 'Running')).pid).DEPLOY, 'green', "the service's env wins");
  assert.doesNotMatch(daemon.output(), /environment file/, 'a good file is no warning');
  await daemon.cleanup();

  daemon = await startDaemon({ plain: 'exec: sleep 100024\n' }, ['--environment-file', path.join(dir, 'gone-with-the-first-daemon')]);
  const bare = environOf((await waitState(daemon, 'plain', 'Running')).pid);
  assert.equal(bare.CHOSEN, undefined);
  assert.doesNotMatch(daemon.output(), /environment file/, 'a missing file is not worth a warning');
});

test('an oversized environment file is a logged warning; the services start without it', async () => {
  const dir = tempDir();
  const big = path.join(dir, 'big.env');
  fs.writeFileSync(big, `FIRST=1\n${'#'.repeat(70 * 1024)}\n`);
  daemon = await startDaemon({ plain: 'exec: sleep 100025\n' }, [], { dir, env: { ...process.env, ZINIT_TS_ENVIRONMENT_FILE: big } });
  const env = environOf((await waitState(daemon, 'plain', 'Running')).pid);
  assert.equal(env.FIRST, undefined);
  assert.match(daemon.output(), /environment file: .*big\.env: is larger than 64 KiB; no variables taken from it/);
});
