// deploy/kubernetes validates against the Kubernetes API schema (kubernetes-models), probes /healthz, and gives the ordered stop the time `check` says it needs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { cliEntry, repoRoot } from '../../helpers/paths.js';

const manifest = path.join(repoRoot, 'deploy', 'kubernetes', 'zinit-ts.yaml');

function documents(text: string): unknown[] {
  return parseAllDocuments(text).map((d) => d.toJS() as unknown);
}

/** Validates one object by its kind against the API schema; throws with the schema's message when invalid. */
function validate(doc: unknown): IDeployment {
  const kind = (doc as { kind?: unknown }).kind;
  if (kind !== 'Deployment') throw new Error(`unexpected kind ${String(kind)} in the manifest; add its model to this test`);
  const d = new Deployment(doc as IDeployment);
  d.validate();
  return d;
}

test('the manifest is a valid Deployment by the Kubernetes API schema', () => {
  const docs = documents(fs.readFileSync(manifest, 'utf8'));
  assert.equal(docs.length, 1);
  assert.doesNotThrow(() => validate(docs[0]));
});

test('a broken manifest is rejected, so the check can fail', () => {
  const text = fs.readFileSync(manifest, 'utf8');
  for (const [what, broken] of [
    ['a grace period that is not a number', text.replace(/terminationGracePeriodSeconds: \d+/, 'terminationGracePeriodSeconds: thirty')],
    ['a container without an image name type', text.replace(/image: zinit-ts:[\w.]+/, 'image: [zinit-ts]')],
    ['replicas as a string', text.replace('replicas: 1', 'replicas: one')],
  ] as const) {
    assert.notEqual(broken, text, what);
    assert.throws(() => validate(documents(broken)[0]), /must be/, what);
  }
});

test('readiness and liveness probe /healthz on the metrics port the container serves', () => {
  const d = validate(documents(fs.readFileSync(manifest, 'utf8'))[0]);
  const c = d.spec?.template.spec?.containers[0];
  assert.ok(c);
  const args = c.args ?? [];
  const listen = args[args.indexOf('--metrics') + 1] ?? '';
  const port = Number(listen.split(':').pop());
  assert.equal(c.ports?.find((p) => p.name === 'metrics')?.containerPort, port);
  assert.equal(c.readinessProbe?.httpGet?.path, '/healthz');
  assert.equal(c.livenessProbe?.httpGet?.path, '/healthz?probe=live');
  assert.equal(c.readinessProbe?.httpGet?.port, 'metrics');
  assert.equal(c.livenessProbe?.httpGet?.port, 'metrics');
});

test('terminationGracePeriodSeconds covers the worst-case ordered stop of the services the image carries (check --budget)', () => {
  const d = validate(documents(fs.readFileSync(manifest, 'utf8'))[0]);
  const grace = d.spec?.template.spec?.terminationGracePeriodSeconds ?? 30;
  const services = path.join(repoRoot, 'services.d');
  const ok = spawnSync(process.execPath, [cliEntry, 'check', '-c', services, '--budget', String(grace)], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  const worst = Number(/worst-case shutdown: ([\d.]+) s/.exec(ok.stdout)?.[1]);
  assert.ok(worst > 0 && worst <= grace, `worst case ${worst} s within ${grace} s`);
  // The gate bites: a budget below the worst case fails.
  const tight = spawnSync(process.execPath, [cliEntry, 'check', '-c', services, '--budget', String(Math.floor(worst) - 1)], { encoding: 'utf8' });
  assert.equal(tight.status, 1);
  assert.match(tight.stderr + tight.stdout, /exceeds the budget/);
});
