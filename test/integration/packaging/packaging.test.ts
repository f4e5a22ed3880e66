import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cliEntry, repoRoot } from '../../helpers/paths.js';

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

test("the build leaves the package's bin executable, as a global install's link runs it directly", () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  assert.equal(path.join(repoRoot, pkg.bin['zinit-ts'] ?? ''), cliEntry);
  assert.match(fs.readFileSync(cliEntry, 'utf8').split('\n')[0] ?? '', /^#!\/usr\/bin\/env node$/);
  assert.equal(fs.statSync(cliEntry).mode & 0o111, 0o111, `${cliEntry} is executable by all (npm only sets the bit when it creates the link)`);
});
