/**
 * A FIFO async lock. SQLite uses one per connection so transactions never interleave on it;
 * both dialects use one per transaction so nested savepoints run one at a time.
 */
import { abortedError } from './signals.ts';

export class Mutex {
  #locked = false;
  #waiters: Array<() => void> = [];

  /** Whether someone holds the lock now. */
  get locked(): boolean {
    return this.#locked;
  }

  /**
   * Resolves once the caller holds the lock; call `release()` exactly once afterwards. With a
   * `signal`, a caller still waiting when it aborts leaves the queue and gets a
   * `DatabaseAbortedError` (a request whose client left stops queueing for the connection).
   */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortedError(signal));
    if (!this.#locked) {
      this.#locked = true;
      return Promise.resolve();
    }
    if (signal === undefined) return new Promise((resolve) => this.#waiters.push(resolve));
    return new Promise((resolve, reject) => {
      const waiter = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const index = this.#waiters.indexOf(waiter);
        if (index >= 0) this.#waiters.splice(index, 1);
        reject(abortedError(signal));
      };
      this.#waiters.push(waiter);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Hands the lock to the next waiter, or frees it. */
  release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#locked = false;
  }

  /** Runs `fn` while holding the lock. */
  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}
