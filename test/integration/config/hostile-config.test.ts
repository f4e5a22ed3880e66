// A real daemon booting beside hundreds of hostile service files: good services run, bad files are reported, the socket answers, memory comes back.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { cliEntry } from '../../helpers/paths.js';
import { runCli, startDaemon, tempDir, waitState, type DaemonHandle } from '../../helpers/daemon.js';
import { GOOD_FILES, writeHostileDir, type HostileDir } from '../../helpers/hostile-config.js';
import { waitFor } from '../../helpers/wait-for.js';

const MiB = 1024 * 1024;
/** Generous: a bad file's parse may leave some heap behind, but never its size. */
const RSS_SLACK = 64 * MiB;

let daemons: DaemonHandle[] = [];
let hostile: HostileDir | null = null;
afterEach(async () => {
  await Promise.all(daemons.map((d) => d.cleanup()));
  daemons = [];
  await hostile?.close();
  hostile = null;
});

function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.ok(m, `VmRSS of ${pid}`);
  return Number(m[1]) * 1024;
}

interface LogRecord {
  readonly timestamp: string;
  readonly message: string;
  readonly service?: string;
  readonly invalid?: number;
}

function records(output: string): LogRecord[] {
  return output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogRecord);
}

/** Asks service_list over one raw connection, again and again, from the moment the socket accepts; when each answer came. */
function pollServiceList(socket: string, stop: () => boolean): { answers: number[]; done: Promise<void> } {
  const answers: number[] = [];
  const done = (async () => {
    await waitFor(() => stop() || fs.existsSync(socket), 20_000, 'the control socket to appear');
    if (stop()) return;
    await new Promise<void>((resolve, reject) => {
      const conn = net.createConnection(socket);
      let buf = '';
      let id = 0;
      const ask = (): void => {
        if (stop()) {
          conn.end();
          resolve();
          return;
        }
        id += 1;
        conn.write(`${JSON.stringify({ jsonrpc: '2.0', id, method: 'service_list' })}\n`);
      };
      conn.on('connect', ask);
      conn.on('data', (b: Buffer) => {
        buf += b.toString();
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const answer = JSON.parse(buf.slice(0, i)) as { result?: unknown };
          buf = buf.slice(i + 1);
          assert.ok(answer.result !== undefined, `service_list answered ${JSON.stringify(answer)}`);
          answers.push(Date.now());
          setTimeout(ask, 10);
        }
      });
      conn.on('error', reject);
      conn.on('close', () => resolve());
    });
  })();
  return { answers, done };
}

test('hundreds of hostile files: the good services run promptly, each bad file is reported as check reports it, the socket answers throughout, RSS returns near its baseline', async () => {
  // Baseline: the same good services alone.
  const base = await startDaemon({ ...GOOD_FILES }, ['--log-format', 'json']);
  daemons.push(base);
  for (const f of Object.keys(GOOD_FILES)) await waitState(base, f.replace(/\.ya?ml$/, ''), 'Running', 10_000);
  const baseline = rssBytes(base.pid);
  await base.cleanup();
  daemons = [];

  // Near-cap files make loading last long enough to talk to the socket meanwhile.
  const dir = tempDir();
  hostile = await writeHostileDir(path.join(dir, 'services'), { repeat: 10, nearCap: 6 });
  const { good, bad } = hostile;
  assert.ok(bad.length > 200, `${bad.length} hostile files`);
  const t0 = Date.now();
  const d = await startDaemon({}, ['--log-format', 'json'], { dir, waitReady: false });
  daemons.push(d);
  const loaded = (): LogRecord | undefined => records(d.output()).find((r) => r.message === 'services loaded');
  const poll = pollServiceList(d.socket, () => loaded() !== undefined || d.child.exitCode !== null);
  const done = await waitFor(loaded, 30_000, `"services loaded"; output so far:\n${d.output().slice(-2000)}`);
  await poll.done;
  const loadedAt = Date.parse(done.timestamp);
  const during = poll.answers.filter((t) => t < loadedAt - 100);
  assert.ok(during.length >= 3, `service_list answered ${during.length} times while loading (${loadedAt - t0} ms after start)`);
  const gaps = during.slice(1).map((t, i) => t - (during[i] ?? t));
  assert.ok(Math.max(...gaps) < 2000, `answers while loading came at most ${Math.max(...gaps)} ms apart`);

  for (const g of good) await waitState(d, g, 'Running', 5_000);

  const errorRecords = records(d.output()).filter((r) => r.message.startsWith('invalid service file, skipped: '));
  const reported = new Set(errorRecords.map((r) => r.service));
  assert.deepEqual([...bad].filter((b) => !reported.has(b)), [], 'every bad file reported');
  assert.deepEqual(good.filter((g) => reported.has(g)), [], 'no good service reported');
  assert.equal(done.invalid, bad.length);

  // check reads the directory with the same loader: the same problems, word for word. The daemon logs
  // unknown keys as warnings apart from the errors, check as errors among them, so the order differs.
  const check = await runCli(['check', '-c', d.configDir], { timeoutMs: 60_000 });
  assert.equal(check.code, 1);
  assert.match(check.stdout, new RegExp(`^${good.length} service\\(s\\) valid, ${bad.length} invalid\\n`));
  const warningRecords = records(d.output()).filter((r) => r.message.startsWith('service file warning: '));
  assert.ok(warningRecords.some((r) => r.service === 'many-unknown'), 'the unknown keys are logged as warnings');
  const daemonLines = [
    ...errorRecords.map((r) => r.message.slice('invalid service file, skipped: '.length)),
    ...warningRecords.map((r) => r.message.slice('service file warning: '.length)),
  ];
  // A file named with a newline spreads its message over two lines of stderr: compare line by line.
  assert.deepEqual(check.stderr.trimEnd().split('\n').sort(), daemonLines.flatMap((l) => l.split('\n')).sort());

  // The parse happened in a loader process that is gone: RSS comes back near the baseline.
  const settled = await waitFor(() => {
    const rss = rssBytes(d.pid);
    return rss < baseline + RSS_SLACK ? rss : null;
  }, 10_000, `daemon RSS (${(rssBytes(d.pid) / MiB).toFixed(0)} MiB) under the baseline ${(baseline / MiB).toFixed(0)} MiB + 64 MiB`);
  assert.ok(settled > 0);
});

test('thousands of files load under a limit of 48 open files', async () => {
  const dir = tempDir();
  try {
    for (let i = 0; i < 3000; i += 1) fs.writeFileSync(path.join(dir, `s${i}.yaml`), `exec: sleep ${i}\n`);
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile('prlimit', ['--nofile=48', process.execPath, cliEntry, 'check', '-c', dir], { timeout: 60_000, maxBuffer: 64 * MiB }, (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
      });
    });
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^3000 service\(s\) valid, 0 invalid\n/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
