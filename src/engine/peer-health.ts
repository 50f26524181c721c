/**
 * Whether a destination answers, as one worker sees it. A transient failure marks the peer down; the
 * worker then stops sending and probes until it is back (SC.DMP/ALI/PROG.06: orders wait on their own;
 * PROG.07: they leave on their own when the DMP is reachable again).
 */
export type PeerStatus =
  | { readonly healthy: true; readonly since: Date }
  | { readonly healthy: false; readonly since: Date; readonly lastError: string; readonly failedProbes: number };

export class PeerHealth {
  #status: PeerStatus;
  #contacted = false;

  constructor(now: Date) {
    this.#status = { healthy: true, since: now };
  }

  get healthy(): boolean {
    return this.#status.healthy;
  }

  /** False until a first exchange has ended, either way (the peer's state is then unknown, not healthy). */
  get contacted(): boolean {
    return this.#contacted;
  }

  /** Probes failed since the peer went down (0 while healthy). */
  get failedProbes(): number {
    return this.#status.healthy ? 0 : this.#status.failedProbes;
  }

  status(): PeerStatus {
    return this.#status;
  }

  /** Returns true when this failure took a healthy peer down. */
  markDown(code: string, now: Date): boolean {
    this.#contacted = true;
    if (!this.#status.healthy) {
      this.#status = { ...this.#status, lastError: code };
      return false;
    }
    this.#status = { healthy: false, since: now, lastError: code, failedProbes: 0 };
    return true;
  }

  probeFailed(code: string): void {
    this.#contacted = true;
    if (this.#status.healthy) return;
    this.#status = { ...this.#status, lastError: code, failedProbes: this.#status.failedProbes + 1 };
  }

  /** A failed exchange: takes a healthy peer down (returns true), or counts one more failure of a down one. */
  markFailure(code: string, now: Date): boolean {
    if (this.#status.healthy) return this.markDown(code, now);
    this.probeFailed(code);
    return false;
  }

  /** Returns true when the peer was down. The first exchange sets `since`: up since then, not since construction. */
  markUp(now: Date): boolean {
    if (!this.#contacted) {
      this.#contacted = true;
      if (this.#status.healthy) this.#status = { healthy: true, since: now };
    }
    if (this.#status.healthy) return false;
    this.#status = { healthy: true, since: now };
    return true;
  }
}
