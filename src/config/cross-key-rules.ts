// Rules that involve more than one key of a service file.
import { isEmptyValue, type ErrorCollector } from './collector.js';
import * as D from './defaults.js';
import type { Draft, Entry } from './draft.js';
import type { ServiceKey } from './known-keys.js';

/** Checks the combinations; a key that already failed on its own is not judged again here. */
export function checkCrossKeyRules(c: ErrorCollector, entries: ReadonlyMap<ServiceKey, Entry>, d: Draft): void {
  const given = (key: ServiceKey): boolean => entries.has(key) && !isEmptyValue(entries.get(key)?.valueNode);
  // undefined after a given key means it was reported already.
  const failed = (key: ServiceKey, value: unknown): boolean => given(key) && value === undefined;

  if (d.log === 'file' && !given('log_file')) {
    c.at(
      entries.get('log')?.valueNode,
      'log: file needs log_file, the path to append output to; add e.g. log_file: /var/log/service.log',
    );
  }
  const log = d.log ?? D.DEFAULT_LOG;
  if (d.logFile !== undefined && log !== 'file' && !failed('log', d.log)) {
    const message = `log_file only takes effect with log: file (log is "${log}"); add log: file`;
    c.at(entries.get('log_file')?.keyNode, message);
  }

  if (given('pass_env') && !given('user')) {
    const message = 'pass_env only takes effect with user: a service without user inherits every variable of the daemon already; '
      + 'add user: or remove pass_env';
    c.at(entries.get('pass_env')?.keyNode, message);
  }

  if (d.oneshot === true && given('restart')) {
    c.at(
      entries.get('restart')?.keyNode,
      'restart does not apply to a oneshot service, which is never respawned; remove restart or set oneshot: false',
    );
  }

  if (failed('restart_delay', d.restartDelayMs) || failed('restart_max_delay', d.restartMaxDelayMs)) return;
  const delay = d.restartDelayMs ?? D.DEFAULT_RESTART_DELAY_MS;
  const maxDelay = d.restartMaxDelayMs ?? D.DEFAULT_RESTART_MAX_DELAY_MS;
  if (maxDelay < delay) {
    const at = entries.get(given('restart_max_delay') ? 'restart_max_delay' : 'restart_delay');
    c.at(at?.valueNode, `restart_max_delay (${maxDelay / 1000} s) must be at least restart_delay (${delay / 1000} s)`);
  }
}
