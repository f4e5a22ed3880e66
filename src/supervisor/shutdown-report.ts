// What a shutdown did, as data: how each service stopped, then what the final sweep killed and could not kill.
import type { ShutdownReport } from './manager.js';
import type { TrackedProcess } from './ports.js';

export interface SweepResult {
  /** Leftover processes signalled with SIGKILL. */
  readonly killed: number;
  /** Those still there when the sweep gave up. */
  readonly remaining: readonly TrackedProcess[];
}

export interface ShutdownRecord {
  readonly stops: ShutdownReport;
  readonly sweep: SweepResult;
}

/** The services whose stop needed SIGKILL, in stop order. */
export function sigkilledServices(report: ShutdownReport): string[] {
  return report.services.filter((s) => s.sigkill).map((s) => s.service);
}
