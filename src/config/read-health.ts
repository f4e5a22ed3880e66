// Readers for the liveness count and the notify mode; the probes themselves are read in read-probe.ts.
import { plainValue, scalarText, type ErrorCollector, type YamlNode } from './collector.js';
import { describeValue } from './describe-value.js';
import { readChoice, readCount } from './read-scalars.js';
import type { NotifyMode } from './types.js';

const NOTIFY_MODES: readonly NotifyMode[] = ['fd', 'systemd'];
const NOTIFY_HINTS: Readonly<Record<string, NotifyMode>> = {
  sd_notify: 'systemd',
  'sd-notify': 'systemd',
  sdnotify: 'systemd',
  notify: 'systemd',
  notify_socket: 'systemd',
  socket: 'systemd',
  s6: 'fd',
  pipe: 'fd',
  fd3: 'fd',
  '3': 'fd',
  'notification-fd': 'fd',
  notification_fd: 'fd',
};
// A yes or no names no mode: which one is meant cannot be guessed, so the message explains both.
const NOTIFY_ON = new Set(['true', 'yes', 'on']);
const NOTIFY_OFF = new Set(['false', 'no', 'off']);
const NOTIFY_EXPLAINED = 'fd (the service writes a newline to fd 3, as s6 does) or systemd (it sends READY=1 to NOTIFY_SOCKET, as sd_notify does)';

export function readNotify(c: ErrorCollector, node: YamlNode): NotifyMode | undefined {
  const word = scalarText(node)?.toLowerCase();
  const found = describeValue(plainValue(node));
  if (word !== undefined && NOTIFY_ON.has(word)) {
    c.at(node, `notify must be one of ${NOTIFY_MODES.join(', ')}, got ${found}; say how the service tells it is ready: ${NOTIFY_EXPLAINED}`);
    return undefined;
  }
  if (word !== undefined && NOTIFY_OFF.has(word)) {
    c.at(node, `notify must be one of ${NOTIFY_MODES.join(', ')}, got ${found}; to have no notification, remove the key`);
    return undefined;
  }
  return readChoice(c, 'notify', node, NOTIFY_MODES, NOTIFY_HINTS);
}

/** How many failed liveness probes in a row restart the service: at least one. */
export function readLiveFailures(c: ErrorCollector, node: YamlNode): number | undefined {
  const count = readCount(c, 'live_failures', node);
  if (count !== 0) return count;
  c.at(node, 'live_failures must be at least 1, got number 0: it counts the failed liveness probes in a row that restart the service; write e.g. live_failures: 3, or remove live: for no liveness probe');
  return undefined;
}
