// Reading from one client paused while it is held back and resumed once it may send again, each only on a change.
import type net from 'node:net';

export class ReadGate {
  private paused = false;

  constructor(private readonly socket: net.Socket) {}

  /** Pauses reading when `hold`, resumes it when not; nothing when it already is so. */
  set(hold: boolean): void {
    if (hold && !this.paused) {
      this.paused = true;
      this.socket.pause();
    } else if (!hold && this.paused) {
      this.paused = false;
      this.socket.resume();
    }
  }

  /** Reads from now on whatever comes. */
  open(): void {
    this.paused = false;
    this.socket.resume();
  }
}
