// Rules that involve more than one key of a service file.
import { isEmptyValue, scalarText, type ErrorCollector } from './collector.js';
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

  checkHealthRules(c, entries, d, given('live'));
  checkMemoryLimits(c, entries, d);

  if (failed('restart_delay', d.restartDelayMs) || failed('restart_max_delay', d.restartMaxDelayMs)) return;
  const delay = d.restartDelayMs ?? D.DEFAULT_RESTART_DELAY_MS;
  const maxDelay = d.restartMaxDelayMs ?? D.DEFAULT_RESTART_MAX_DELAY_MS;
  if (maxDelay < delay) {
    const at = entries.get(given('restart_max_delay') ? 'restart_max_delay' : 'restart_delay');
    c.at(at?.valueNode, `restart_max_delay (${maxDelay / 1000} s) must be at least restart_delay (${delay / 1000} s)`);
  }
}

/**
 * Readiness is told one way only; a oneshot has no readiness or liveness; the liveness tunings need a
 * liveness probe. Each draft value is set only for a key given and valid.
 */
function checkHealthRules(c: ErrorCollector, entries: ReadonlyMap<ServiceKey, Entry>, d: Draft, liveGiven: boolean): void {
  const test = typeof d.test === 'string';
  const ready = d.ready !== undefined && d.ready !== null;
  if (test && ready) {
    c.at(
      entries.get('ready')?.keyNode,
      'test and ready are both readiness probes and readiness is told once; keep ready (or test, zinit\'s form) and remove the other',
    );
  }
  if (d.notify !== undefined && d.notify !== null && (test || ready)) {
    const probes = [test ? 'test' : null, ready ? 'ready' : null].filter((k) => k !== null).join(' and ');
    const told = test && ready ? `notify, ${probes} all tell` : `notify and ${probes} both tell`;
    c.at(
      entries.get('notify')?.keyNode,
      `${told} when the service is ready, and readiness is told once; with notify the service says it itself: keep notify and remove ${probes}, or remove notify`,
    );
  }

  if (d.oneshot === true) {
    const onOneshot: [ServiceKey, unknown][] = [['ready', d.ready], ['live', d.live], ['notify', d.notify]];
    for (const [key, value] of onOneshot) {
      if (value === undefined || value === null) continue;
      c.at(
        entries.get(key)?.keyNode,
        `${key} does not apply to a oneshot service, which is done when it exits; remove ${key} or set oneshot: false`,
      );
    }
  }

  if (liveGiven) return;
  const tunings: [ServiceKey, number | undefined][] = [['live_interval', d.liveIntervalMs], ['live_failures', d.liveFailures]];
  for (const [key, value] of tunings) {
    if (value === undefined) continue;
    c.at(
      entries.get(key)?.keyNode,
      `${key} only takes effect with live:, the liveness probe; add e.g. live: http://127.0.0.1:8080/healthz, or remove ${key}`,
    );
  }
}

/**
 * memory_high throttles a service on its way to memory_max, which kills it: set above memory_max it
 * could never be reached. A limit that is max, or was reported as wrong, is null here and not compared.
 */
function checkMemoryLimits(c: ErrorCollector, entries: ReadonlyMap<ServiceKey, Entry>, d: Draft): void {
  const high = d.limits?.memoryHigh ?? null;
  const max = d.limits?.memoryMax ?? null;
  if (high === null || max === null || high <= max) return;
  const highNode = entries.get('memory_high')?.valueNode;
  const written = (node: unknown, bytes: number): string => scalarText(node) ?? String(bytes);
  const maxText = written(entries.get('memory_max')?.valueNode, max);
  c.at(
    highNode,
    `memory_high (${written(highNode, high)}) is above memory_max (${maxText}): the service would be killed at memory_max before memory_high ever slowed it down; lower memory_high to ${maxText} or less, or raise memory_max`,
  );
}
