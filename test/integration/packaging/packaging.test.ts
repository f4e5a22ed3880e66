import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../helpers/paths.js';

const unit = path.join(repoRoot, 'systemd', 'zinit-ts.service');
const hasAnalyze = spawnSync('sh', ['-c', 'command -v systemd-analyze']).status === 0;

test('the systemd unit passes systemd-analyze verify', { skip: hasAnalyze ? false : 'systemd-analyze is not installed here' }, () => {
  const r = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr.trim(), '');
});

test("the unit leaves the ordered stop to zinit-ts: KillMode=mixed, and a stop timeout longer than a service's default", () => {
  const text = fs.readFileSync(unit, 'utf8');
  assert.match(text, /^KillMode=mixed$/m);
  const timeout = Number(/^TimeoutStopSec=(\d+)$/m.exec(text)?.[1]);
  assert.ok(timeout > 10, `TimeoutStopSec=${timeout}`);
  assert.match(text, /^ExecStart=.*zinit-ts .*init -c \/etc\/zinit$/m);
});

// Text checks of the Dockerfile (no image is built here), and that the CLI has the flag its ENTRYPOINT uses.
test('the Dockerfile copies services.d to /etc/zinit, keeps optional dependencies, and its ENTRYPOINT is init --container on it', () => {
  const text = fs.readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
  assert.match(text, /^COPY services\.d \/etc\/zinit$/m);
  assert.match(text, /^ENTRYPOINT \["zinit-ts", "init", "--container", "-c", "\/etc\/zinit"\]$/m);
  // The native libc binding lives in an optional dependency: the image must not drop it.
  assert.doesNotMatch(text, /--omit=optional|--no-optional/);
  const help = execFileSync(process.execPath, [path.join(repoRoot, 'dist/src/cli/main.js'), 'init', '--help'], { encoding: 'utf8' });
  assert.match(help, /--container/);
});
