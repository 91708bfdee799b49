/**
 * A FIFO async lock. SQLite uses one per connection so transactions never interleave on it;
 * both dialects use one per transaction so nested savepoints run one at a time.
 */
export class Mutex {
  #locked = false;
  #waiters: Array<() => void> = [];

  /** Whether someone holds the lock now. */
  get locked(): boolean {
    return this.#locked;
  }

  /** Resolves once the caller holds the lock; call `release()` exactly once afterwards. */
  acquire(): Promise<void> {
    if (!this.#locked) {
      this.#locked = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Hands the lock to the next waiter, or frees it. */
  release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#locked = false;
  }

  /** Runs `fn` while holding the lock. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}
