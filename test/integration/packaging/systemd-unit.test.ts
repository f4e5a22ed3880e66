// The systemd unit, as systemd itself reads it.
//
// `systemd-analyze verify` needs no running systemd (it starts a manager of its own in test mode,
// as root or not, without --root), so it runs in containers too. Two things make it usable as a
// test:
// - It exits 0 on a directive it cannot parse ("Failed to parse service type, ignoring"): it only
//   logs a warning. So the unit must verify with nothing on stderr, at a log level and target set
//   here (an inherited SYSTEMD_LOG_LEVEL=err would hide the warnings).
// - At SYSTEMD_LOG_LEVEL=debug it prints the loaded unit on stdout ("-> Unit zinit-ts.service:"
//   and one "Key: value" line per setting): the directives are checked there, as systemd parsed them,
//   not as the file spells them.
// The real file is verified where it is: its ExecStart is /usr/bin/env, which exists everywhere
// (verify refuses a unit whose ExecStart binary does not exist). Copies with one directive broken
// show that each check fails on a broken unit.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../helpers/paths.js';

const unit = path.join(repoRoot, 'systemd', 'zinit-ts.service');
const unitText = fs.readFileSync(unit, 'utf8');
const hasAnalyze = spawnSync('sh', ['-c', 'command -v systemd-analyze']).status === 0;
const needsAnalyze = { skip: hasAnalyze ? false : 'systemd-analyze is not installed here (scripts/test-prerequisites.sh installs it)', timeout: 30_000 };

let tmp: string | null = null;
after(() => {
  if (tmp !== null) fs.rmSync(tmp, { recursive: true, force: true });
});

interface Verified {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function verify(file: string, level: 'info' | 'debug'): Verified {
  const env = { ...process.env, SYSTEMD_LOG_LEVEL: level, SYSTEMD_LOG_TARGET: 'console', SYSTEMD_LOG_COLOR: '0', SYSTEMD_LOG_LOCATION: '0' };
  const r = spawnSync('systemd-analyze', ['verify', '--man=no', file], { encoding: 'utf8', env, timeout: 20_000 });
  assert.equal(r.error, undefined, String(r.error));
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The settings of zinit-ts.service as systemd loaded them, from verify's debug dump. */
function loaded(file: string): Map<string, string[]> {
  const { status, stdout, stderr } = verify(file, 'debug');
  assert.equal(status, 0, stderr.slice(-2000));
  const lines = stdout.split('\n');
  const start = lines.indexOf('\t-> Unit zinit-ts.service:');
  assert.notEqual(start, -1, 'systemd-analyze printed no dump of zinit-ts.service at debug level');
  const settings = new Map<string, string[]>();
  let block = '';
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith('\t\t')) break;
    const sub = /^\t\t-> (\w+):$/.exec(line);
    if (sub?.[1] !== undefined) {
      block = `${sub[1]}.`;
      continue;
    }
    const kv = /^\t\t(\t?)([^:\t][^:]*): (.*)$/.exec(line);
    if (kv === null) continue;
    const key = kv[1] === '\t' ? `${block}${kv[2]}` : (kv[2] ?? '');
    if (kv[1] !== '\t') block = '';
    settings.set(key, [...(settings.get(key) ?? []), kv[3] ?? '']);
  }
  return settings;
}

/** Seconds of a time span as systemd prints it ("2min", "1min 30s", "45s"). */
function seconds(span: string): number {
  const units: Record<string, number> = { h: 3600, min: 60, s: 1 };
  const parts = [...span.matchAll(/(\d+)(h|min|s)\b/g)];
  assert.ok(parts.length > 0, `not a time span: ${span}`);
  return parts.reduce((sum, m) => sum + Number(m[1]) * (units[m[2] ?? ''] ?? NaN), 0);
}

/** A copy of the unit, named as the real one, with `line` (which must be in it) replaced. */
function brokenCopy(line: RegExp, replacement: string): string {
  assert.match(unitText, line, 'the unit no longer has the line this check breaks');
  tmp ??= fs.mkdtempSync(path.join(os.tmpdir(), 'zinit-ts-unit-'));
  const dir = fs.mkdtempSync(path.join(tmp, 'copy-'));
  const file = path.join(dir, 'zinit-ts.service');
  fs.writeFileSync(file, unitText.replace(line, replacement));
  return file;
}

// The same as text, for machines without systemd-analyze.
test("the unit's text: Type=notify for the main process, no start timeout, the ordered stop left to zinit-ts", () => {
  assert.match(unitText, /^Type=notify$/m);
  assert.match(unitText, /^NotifyAccess=main$/m);
  assert.match(unitText, /^TimeoutStartSec=infinity$/m);
  assert.match(unitText, /^KillMode=mixed$/m);
  assert.match(unitText, /^Delegate=yes$/m);
  const timeout = Number(/^TimeoutStopSec=(\d+)$/m.exec(unitText)?.[1]);
  assert.ok(timeout > 10, `TimeoutStopSec=${timeout}`);
  assert.match(unitText, /^ExecStart=.*zinit-ts .*init -c \/etc\/zinit$/m);
});

test('the systemd unit passes systemd-analyze verify without a single warning', needsAnalyze, () => {
  const r = verify(unit, 'info');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr.trim(), '');
});

test('systemd reads the unit as Type=notify, NotifyAccess=main, no start timeout, and the ordered stop left to zinit-ts', needsAnalyze, () => {
  const s = loaded(unit);
  assert.deepEqual(s.get('Type'), ['notify']);
  assert.deepEqual(s.get('NotifyAccess'), ['main']);
  assert.deepEqual(s.get('TimeoutStartSec'), ['infinity']);
  assert.deepEqual(s.get('KillMode'), ['mixed']);
  assert.deepEqual(s.get('KillSignal'), ['SIGTERM']);
  assert.deepEqual(s.get('Restart'), ['on-failure']);
  // The unit's cgroup is zinit-ts's to arrange: a cgroup per service, limits enforced.
  assert.deepEqual(s.get('Delegate'), ['yes']);
  assert.deepEqual(s.get('ExecStart.Command Line'), ['/usr/bin/env zinit-ts -s /run/zinit.sock init -c /etc/zinit']);
  assert.deepEqual(s.get('ExecReload.Command Line'), ['/usr/bin/env zinit-ts -s /run/zinit.sock reload']);
  // Longer than a service's default shutdown_timeout (10 s).
  const stop = s.get('TimeoutStopSec')?.[0] ?? '';
  assert.ok(seconds(stop) > 10, `TimeoutStopSec: ${stop}`);
});

test('a broken directive is caught: a misspelt value, an unknown key, a missing program', needsAnalyze, () => {
  const lineOf = (text: string, re: RegExp): number => text.split('\n').findIndex((l) => re.test(l)) + 1;
  for (const [line, replacement] of [
    [/^Type=notify$/m, 'Type=notfy'],
    [/^NotifyAccess=main$/m, 'NotifyAccess=mian'],
    [/^TimeoutStartSec=infinity$/m, 'TimeoutStartSec=forever'],
    [/^Type=notify$/m, 'Tpye=notify'],
  ] as const) {
    const file = brokenCopy(line, replacement);
    const r = verify(file, 'info');
    const at = lineOf(fs.readFileSync(file, 'utf8'), new RegExp(`^${replacement}$`));
    // verify only warns (and exits 0) here: the warning, which names the file and line, is the failure.
    assert.match(r.stderr, new RegExp(`zinit-ts\\.service:${at}: `), `${replacement}: ${r.stderr}`);
  }
  // And the dump shows what systemd made of it: the default type, not the one meant.
  assert.deepEqual(loaded(brokenCopy(/^Type=notify$/m, 'Type=notfy')).get('Type'), ['simple']);

  const missing = verify(brokenCopy(/^ExecStart=\/usr\/bin\/env /m, 'ExecStart=/nonexistent/zinit-ts '), 'info');
  assert.notEqual(missing.status, 0, missing.stderr);
  assert.match(missing.stderr, /\/nonexistent\/zinit-ts/);
});
