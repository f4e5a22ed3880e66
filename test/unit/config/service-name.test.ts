// Which service names are accepted.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { isValidServiceName, serviceNameProblem } from '../../../src/config/service-name.js';

void describe('service names', () => {
  for (const name of ['web', 'redis-7', 'a_b', 'x.y', 'getty@tty1', 'ns:svc', 'A9', '1']) {
    void test(`accepts ${name}`, () => {
      assert.equal(serviceNameProblem(name), null);
      assert.equal(isValidServiceName(name), true);
    });
  }

  const bad: [string, RegExp][] = [
    ['', /must not be empty/],
    ['a/b', /must not contain "\/" or "\\"/],
    ['a\\b', /must not contain/],
    ['.hidden', /must not start with "\."/],
    ['..', /must not start with/],
    ['has space', /may only use letters, digits and _ \. @ : -/],
    ['tab\there', /may only use/],
    ['ünï', /may only use/],
    ['semi;colon', /may only use/],
  ];
  for (const [name, why] of bad) {
    void test(`refuses ${JSON.stringify(name)}`, () => {
      assert.match(serviceNameProblem(name) ?? '', why);
      assert.equal(isValidServiceName(name), false);
    });
  }
});
