/**
 * A FIFO async mutex. The embedded PGlite has a single backend, so the whole store shares one
 * connection: a transaction must own it from BEGIN to COMMIT/ROLLBACK or other callers' statements
 * would land inside it.
 */
export class AsyncMutex {
  #locked = false;
  readonly #waiters: Array<() => void> = [];

  /** Resolves when the caller owns the mutex; the returned function gives it back (once). */
  async acquire(): Promise<() => void> {
    if (this.#locked) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    } else {
      this.#locked = true;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiters.shift();
      // Ownership passes straight to the next waiter, so no caller can slip in between.
      if (next) next();
      else this.#locked = false;
    };
  }

  get locked(): boolean {
    return this.#locked;
  }

  get waiting(): number {
    return this.#waiters.length;
  }
}
