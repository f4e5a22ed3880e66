// The subscriptions one client may hold open at once, each slot given back exactly once.
import { TooManyStreamsError } from '../../errors/errors.js';

export class StreamSlots {
  private open = 0;

  constructor(
    private readonly max: number,
    /** Called each time a slot is given back (the client was active just now). */
    private readonly onRelease: () => void,
  ) {}

  get count(): number {
    return this.open;
  }

  /** Takes a slot, or throws TOO_MANY_STREAMS; the function returned gives it back (again is a no-op). */
  take(): () => void {
    if (this.open >= this.max) {
      throw TooManyStreamsError.perConnection(this.max);
    }
    this.open += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.open -= 1;
      this.onRelease();
    };
  }
}
