// One stop as a state machine: which event sends which signal to whom (kill_mode), from the stop signal to the last exit.
import type { KillMode } from '../config/types.js';
import type { TrackedProcess } from './ports.js';

/**
 * signalled: the stop signal went out as kill_mode says, the main process lives.
 * main-gone: the main process has exited; under `process` the rest waits here for the deadline.
 * rest-signalled: every process of the service still alive has had the stop signal.
 * killed: the deadline passed and SIGKILL went to everything found.
 * gone: no process of the service is left.
 */
export type StopPhase = 'signalled' | 'main-gone' | 'rest-signalled' | 'killed' | 'gone';

export type StopEvent =
  | { readonly kind: 'main-exited' }
  /** A walk of the process table begun after the last event: the service's live processes other than the main one. */
  | { readonly kind: 'scanned'; readonly procs: readonly TrackedProcess[]; readonly mainAlive: boolean }
  | { readonly kind: 'deadline' };

/** One signal to send: to the main process's group (by id), to the main process alone, or to processes by pid and start time. */
export type Delivery =
  | { readonly to: 'main-group'; readonly signal: NodeJS.Signals }
  | { readonly to: 'main'; readonly signal: NodeJS.Signals }
  | { readonly to: 'procs'; readonly procs: readonly TrackedProcess[]; readonly signal: NodeJS.Signals };

export interface StopPlan {
  readonly mode: KillMode;
  readonly signal: NodeJS.Signals;
  /** The main process, when one was alive as the stop began. */
  readonly mainPid: number | null;
  /**
   * false only as a diagnostic (ZINIT_TS_STOP_RULE=start-only): the stop signal goes out at the start and
   * never when the main process exits, which is how a worker under a live parent ends up SIGKILLed.
   */
  readonly restAtMainExit?: boolean;
}

const key = (p: TrackedProcess): string => `${p.pid}:${p.startTime}`;

export class StopMachine {
  private current: StopPhase;
  private mainAlive: boolean;
  private known: readonly TrackedProcess[];
  /** Had the stop signal, individually or through the main group while they were in it. */
  private readonly reached = new Set<string>();
  private readonly killed = new Set<string>();
  private readonly continued = new Set<string>();
  private readonly seen = new Set<string>();
  private sigkillSent = false;

  constructor(
    private readonly plan: StopPlan,
    first: readonly TrackedProcess[],
  ) {
    this.mainAlive = plan.mainPid !== null;
    this.known = first;
    this.current = this.mainAlive ? 'signalled' : plan.mode === 'process' ? 'main-gone' : 'rest-signalled';
    this.note(first);
  }

  get phase(): StopPhase {
    return this.current;
  }

  get sigkill(): boolean {
    return this.sigkillSent;
  }

  /** Processes other than the main one met during the stop. */
  get descendants(): number {
    return this.seen.size;
  }

  /** The processes of the last scan: what may still be alive. */
  get last(): readonly TrackedProcess[] {
    return this.known;
  }

  get mainRunning(): boolean {
    return this.mainAlive;
  }

  /** The first deliveries. SIGCONT follows the stop signal to every process found, so a stopped one can act on it, whoever sends it. */
  begin(): Delivery[] {
    const out: Delivery[] = [];
    const { mainPid, mode } = this.plan;
    if (this.current === 'signalled') {
      if (mode === 'process') out.push({ to: 'main', signal: this.plan.signal });
      else {
        out.push({ to: 'main-group', signal: this.plan.signal });
        for (const p of this.known) if (p.pgrp === mainPid) this.reached.add(key(p));
      }
      out.push(...this.stopTo(this.known.filter((p) => this.startsWithSignal(p))));
    } else if (this.current === 'rest-signalled') {
      out.push(...this.stopTo(this.known));
    }
    if (this.plan.signal !== 'SIGCONT') {
      if (this.mainAlive) out.push({ to: 'main-group', signal: 'SIGCONT' });
      const rest = this.known.filter((p) => !this.continued.has(key(p)) && (!this.mainAlive || p.pgrp !== mainPid));
      if (rest.length > 0) out.push({ to: 'procs', procs: rest, signal: 'SIGCONT' });
    }
    return dropEmpty(out);
  }

  on(event: StopEvent): Delivery[] {
    if (this.current === 'gone') return [];
    switch (event.kind) {
      case 'main-exited':
        return this.mainExited();
      case 'scanned': {
        this.known = event.procs;
        this.note(event.procs);
        const out = !event.mainAlive && this.mainAlive ? this.mainExited() : [];
        out.push(...this.newcomers(event.procs));
        if (!this.mainAlive && event.procs.length === 0) this.current = 'gone';
        return dropEmpty(out);
      }
      case 'deadline': {
        this.current = 'killed';
        this.sigkillSent = true;
        const out: Delivery[] = [];
        if (this.mainAlive) out.push({ to: 'main-group', signal: 'SIGKILL' });
        // One by one, even those recorded in the main group: a child may have called setsid() since the scan.
        out.push(this.killTo(this.known));
        return dropEmpty(out);
      }
    }
  }

  private mainExited(): Delivery[] {
    if (!this.mainAlive) return [];
    this.mainAlive = false;
    if (this.current !== 'signalled') return [];
    if (this.plan.mode === 'process' || this.plan.restAtMainExit === false) {
      this.current = 'main-gone';
      return [];
    }
    // Nobody is left to tell the rest to stop: each one still alive that has not had the signal gets it now.
    this.current = 'rest-signalled';
    return dropEmpty(this.stopTo(this.known.filter((p) => !this.reached.has(key(p)))));
  }

  private newcomers(procs: readonly TrackedProcess[]): Delivery[] {
    switch (this.current) {
      case 'killed':
        return [this.killTo(procs.filter((p) => !this.killed.has(key(p))))];
      case 'rest-signalled':
        return this.stopTo(procs.filter((p) => !this.reached.has(key(p))));
      case 'signalled':
        return this.stopTo(procs.filter((p) => !this.reached.has(key(p)) && this.startsWithSignal(p)));
      default:
        return [];
    }
  }

  /** While the main process lives: who gets the stop signal besides its group. */
  private startsWithSignal(p: TrackedProcess): boolean {
    const { mode, mainPid } = this.plan;
    if (mode === 'process' || p.pgrp === mainPid) return false;
    // mixed: only what no longer descends from the main process (nobody is left to tell it); control-group: all.
    return mode === 'control-group' || !p.underMain;
  }

  private stopTo(procs: readonly TrackedProcess[]): Delivery[] {
    if (procs.length === 0) return [];
    for (const p of procs) this.reached.add(key(p));
    const out: Delivery[] = [{ to: 'procs', procs, signal: this.plan.signal }];
    if (this.plan.signal !== 'SIGCONT') out.push({ to: 'procs', procs, signal: 'SIGCONT' });
    for (const p of procs) this.continued.add(key(p));
    return out;
  }

  private killTo(procs: readonly TrackedProcess[]): Delivery {
    for (const p of procs) this.killed.add(key(p));
    return { to: 'procs', procs, signal: 'SIGKILL' };
  }

  private note(procs: readonly TrackedProcess[]): void {
    for (const p of procs) this.seen.add(key(p));
  }
}

function dropEmpty(ds: Delivery[]): Delivery[] {
  return ds.filter((d) => d.to !== 'procs' || d.procs.length > 0);
}
