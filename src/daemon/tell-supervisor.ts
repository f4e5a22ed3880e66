// zinit-ts under a supervisor that reads sd_notify (systemd's Type=notify): READY=1 once the first start has settled, STATUS= counts, STOPPING=1.
import type { ServiceStatus } from '../supervisor/service-status.js';

/** Not yet spawned, not yet ready, or being restarted. */
function onItsWay(s: ServiceStatus): boolean {
  return s.state === 'Unknown' || s.state === 'Spawned' || s.restarting;
}

/** A service meant to run that is on its way. */
export function starting(s: ServiceStatus): boolean {
  return s.target === 'Up' && onItsWay(s);
}

/**
 * The first start has settled when no service meant to run is still on its way: each is Running,
 * finished, failed for good, or blocked on something that is itself settled.
 */
export function startSettled(list: readonly ServiceStatus[]): boolean {
  return !list.some(starting);
}

/** One short line for `systemctl status`: the counts, and the services that are not where they should be. */
export function statusText(list: readonly ServiceStatus[]): string {
  let running = 0;
  let done = 0;
  let onTheWay = 0;
  let failed = 0;
  let blocked = 0;
  for (const s of list) {
    if (s.state === 'Running') running++;
    else if (s.state === 'Success') done++;
    else if (onItsWay(s)) onTheWay++;
    else if (s.state === 'Blocked') blocked++;
    else if (s.state === 'Error' || s.state === 'Failure' || s.state === 'TestFailure') failed++;
  }
  const parts = [`${running} running`, `${done} done`];
  if (onTheWay > 0) parts.push(`${onTheWay} starting`);
  if (failed > 0) parts.push(`${failed} failed`);
  if (blocked > 0) parts.push(`${blocked} blocked`);
  return `${parts.join(', ')} (of ${list.length})`;
}

export interface SupervisorLink {
  /** Sends one sd_notify datagram; false when it could not (or there is no one to tell). */
  send(text: string): boolean;
  list(): readonly ServiceStatus[];
  /** Calls `fn` after every change; returns how to stop. */
  subscribe(fn: () => void): () => void;
  setTimeout(fn: () => void, ms: number): unknown;
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** READY=1 was sent at READY_AT_THE_LATEST_MS with these services still on their way. */
  onLateReady?(names: readonly string[]): void;
}

/**
 * READY=1 is sent at the latest this long after the services were loaded, even if some are still
 * on their way (a probe that never passes, a crash loop): the supervisor must not wait forever for
 * the manager of everything else. 90 s is systemd's own default start timeout.
 */
export const READY_AT_THE_LATEST_MS = 90_000;
/** A READY=1 or STOPPING=1 the supervisor's full queue dropped is sent again this often, this many times. */
export const RESEND_EVERY_MS = 200;
export const RESEND_TIMES = 50;

/** STATUS= is sent at most this often; the last change is always sent. */
export const STATUS_EVERY_MS = 1000;

/**
 * Tells the supervisor READY=1 once `loaded()` was called and the start settled, STATUS= after
 * changes before and after it (at most every STATUS_EVERY_MS), and STOPPING=1 once, when
 * `stopping()` is called.
 */
export function tellSupervisor(link: SupervisorLink): { loaded(): void; stopping(): void } {
  let isLoaded = false;
  let ready = false;
  let stopped = false;
  let pending = false;
  let lastSent = '';
  /** When the last datagram carrying STATUS= went out (READY=1 carries one too). */
  let lastSentAt = -Infinity;
  /** READY=1 and STOPPING=1 must arrive: sent again while the supervisor's queue drops them (bounded). */
  const sendSurely = (text: string, left = RESEND_TIMES): void => {
    if (link.send(text) || left <= 0) return;
    link.setTimeout(() => {
      if (text.startsWith('READY=1') && stopped) return;
      sendSurely(text, left - 1);
    }, RESEND_EVERY_MS);
  };
  const sendReady = (list: readonly ServiceStatus[]): void => {
    ready = true;
    lastSent = statusText(list);
    lastSentAt = link.now();
    sendSurely(`READY=1\nSTATUS=${lastSent}`);
  };
  const sendStatus = (): void => {
    if (stopped) return;
    // A window opened before READY=1 (which carried a STATUS= of its own) ends a full window after it.
    const wait = lastSentAt + STATUS_EVERY_MS - link.now();
    if (wait > 0) {
      link.setTimeout(sendStatus, wait);
      return;
    }
    pending = false;
    const text = statusText(link.list());
    if (text === lastSent) return;
    lastSent = text;
    lastSentAt = link.now();
    link.send(`STATUS=${text}`);
  };
  // Judged after the manager's own reaction to a change (a dependent spawned once its dependency is Running).
  let checkQueued = false;
  const check = (): void => {
    checkQueued = false;
    if (stopped) return;
    if (!ready) {
      const list = link.list();
      if (startSettled(list)) {
        sendReady(list);
        return;
      }
    }
    // Before READY=1 too: while systemd waits, `systemctl status` shows how far the start got.
    if (!pending) {
      pending = true;
      link.setTimeout(sendStatus, STATUS_EVERY_MS);
    }
  };
  const onChange = (): void => {
    if (stopped || !isLoaded || checkQueued) return;
    checkQueued = true;
    link.setTimeout(check, 0);
  };
  const unsubscribe = link.subscribe(onChange);
  return {
    loaded: () => {
      isLoaded = true;
      onChange();
      link.setTimeout(() => {
        if (ready || stopped) return;
        const list = link.list();
        link.onLateReady?.(list.filter(starting).map((s) => s.name));
        sendReady(list);
      }, READY_AT_THE_LATEST_MS);
    },
    stopping: () => {
      if (stopped) return;
      stopped = true;
      unsubscribe();
      sendSurely('STOPPING=1\nSTATUS=stopping services');
    },
  };
}
