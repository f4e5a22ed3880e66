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
  /**
   * A walk of the process table begun after the last event: the service's live processes other than the main
   * one. `settled: false` (see Look.settled): the walk may have missed processes, so it cannot end the stop.
   */
  | { readonly kind: 'scanned'; readonly procs: readonly TrackedProcess[]; readonly mainAlive: boolean; readonly settled?: boolean }
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
  private scanned = false;
  private groupSignalled = false;
  private groupContinued = false;

  constructor(private readonly plan: StopPlan) {
    this.mainAlive = plan.mainPid !== null;
    this.known = [];
    this.current = this.mainAlive ? 'signalled' : plan.mode === 'process' ? 'main-gone' : 'rest-signalled';
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

  get scannedOnce(): boolean {
    return this.scanned;
  }

  get mainRunning(): boolean {
    return this.mainAlive;
  }

  /**
   * What goes out before any scan: the stop signal to the main group (or, under `process`, the main process),
   * then SIGCONT to the group. The rest follows the first scan. SIGCONT follows the stop signal to every
   * process found, so a stopped one can act on the signal, whoever sends it.
   */
  begin(): Delivery[] {
    if (this.current !== 'signalled') return [];
    this.groupSignalled = this.plan.mode !== 'process';
    this.groupContinued = true;
    const out: Delivery[] = [{ to: this.groupSignalled ? 'main-group' : 'main', signal: this.plan.signal }];
    if (this.plan.signal !== 'SIGCONT') out.push({ to: 'main-group', signal: 'SIGCONT' });
    return out;
  }

  on(event: StopEvent): Delivery[] {
    if (this.current === 'gone') return [];
    switch (event.kind) {
      case 'main-exited':
        return this.mainExited();
      case 'scanned': {
        this.known = event.procs;
        this.note(event.procs);
        const first = !this.scanned;
        this.scanned = true;
        // In the group when it was signalled (or forked from a member since): the group delivery reached it.
        const inGroup = event.procs.filter((p) => p.pgrp === this.plan.mainPid);
        if (first && this.groupSignalled) for (const p of inGroup) this.reached.add(key(p));
        if (first && this.groupContinued) for (const p of inGroup) this.continued.add(key(p));
        const out = !event.mainAlive && this.mainAlive ? this.mainExited() : [];
        out.push(...this.newcomers(event.procs));
        const stopped = first && this.plan.signal !== 'SIGCONT' ? event.procs.filter((p) => !this.continued.has(key(p))) : [];
        if (stopped.length > 0) out.push(this.continueTo(stopped));
        if (!this.mainAlive && event.procs.length === 0 && event.settled !== false) this.current = 'gone';
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

  private continueTo(procs: readonly TrackedProcess[]): Delivery {
    for (const p of procs) this.continued.add(key(p));
    return { to: 'procs', procs, signal: 'SIGCONT' };
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
