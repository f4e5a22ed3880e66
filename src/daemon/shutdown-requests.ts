// The one shutdown: the first request wins and sets the exit code, later ones are logged and join it.
import type { ShutdownKind, ShutdownOutcome } from '../ipc/handlers.js';
import type { Logger } from '../log/logger-types.js';

export interface ShutdownRequest {
  readonly kind: ShutdownKind;
  readonly exitCode: number;
  readonly why: string;
}

export class ShutdownRequests {
  /** Resolves with the first request. */
  readonly requested: Promise<ShutdownRequest>;
  /** Resolves with what the shutdown did, once everything is stopped. */
  readonly outcome: Promise<ShutdownOutcome>;
  #first: ShutdownRequest | null = null;
  #resolveRequest: (r: ShutdownRequest) => void = () => undefined;
  #resolveOutcome: (o: ShutdownOutcome) => void = () => undefined;

  constructor(private readonly logger: Logger) {
    this.requested = new Promise((r) => (this.#resolveRequest = r));
    this.outcome = new Promise((r) => (this.#resolveOutcome = r));
  }

  request(r: ShutdownRequest): void {
    if (this.#first) {
      this.logger.warn('shutdown already in progress', { why: r.why });
      return;
    }
    this.#first = r;
    this.logger.info('shutdown requested', { why: r.why, kind: r.kind });
    this.#resolveRequest(r);
  }

  publish(o: ShutdownOutcome): void {
    this.#resolveOutcome(o);
  }
}
