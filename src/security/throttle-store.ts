/**
 * Where throttling counts hits: fixed windows per key. The first hit of a key opens a window of
 * `windowMs`; later hits in it add to its count; once it ends, the next hit opens a new one.
 */

/** A key's window: hits counted so far and when (epoch milliseconds) the window ends. */
export interface ThrottleWindow {
  count: number;
  resetAt: number;
}

/**
 * A store of throttling windows. Every method is asynchronous so that stores shared between
 * processes (Redis) fit the same interface as the in-memory one.
 */
export interface ThrottleStore {
  /** Counts one hit for `key` and answers its window (opening one of `windowMs` if none is open). */
  hit(key: string, windowMs: number): Promise<ThrottleWindow>;
  /** The open window of `key` without counting, or `undefined` when none is open. */
  peek(key: string): Promise<ThrottleWindow | undefined>;
  /** Forgets `key` (e.g. after a successful login). */
  reset(key: string): Promise<void>;
}

/** Options of {@link MemoryThrottleStore}. */
export interface MemoryThrottleStoreOptions {
  /** Most keys kept; past it, the windows closest to their end are dropped first. Default 100 000. */
  maxKeys?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/**
 * Counts in the process's memory: for one process, or tests. Expired windows are swept as
 * hits come in (no timer keeps the process alive), and the number of keys is bounded.
 *
 * @example
 * ```ts
 * const store = new MemoryThrottleStore();
 * await store.hit('login:ada', 60_000); // { count: 1, resetAt: … }
 * ```
 */
export class MemoryThrottleStore implements ThrottleStore {
  readonly #windows = new Map<string, ThrottleWindow>();
  readonly #maxKeys: number;
  readonly #now: () => number;
  #nextSweep = 0;

  constructor(options: MemoryThrottleStoreOptions = {}) {
    this.#maxKeys = options.maxKeys ?? 100_000;
    this.#now = options.now ?? Date.now;
    if (!Number.isSafeInteger(this.#maxKeys) || this.#maxKeys < 1)
      throw new TypeError('maxKeys must be a whole number above 0');
  }

  /** Keys currently held (open or not yet swept). */
  get size(): number {
    return this.#windows.size;
  }

  async hit(key: string, windowMs: number): Promise<ThrottleWindow> {
    const now = this.#now();
    this.#sweep(now);
    const open = this.#windows.get(key);
    if (open && open.resetAt > now) {
      open.count++;
      return { ...open };
    }
    if (open) this.#windows.delete(key);
    if (this.#windows.size >= this.#maxKeys) this.#evict(now);
    const window = { count: 1, resetAt: now + windowMs };
    this.#windows.set(key, window);
    return { ...window };
  }

  async peek(key: string): Promise<ThrottleWindow | undefined> {
    const open = this.#windows.get(key);
    return open && open.resetAt > this.#now() ? { ...open } : undefined;
  }

  async reset(key: string): Promise<void> {
    this.#windows.delete(key);
  }

  #sweep(now: number): void {
    // At most once a second: a sweep walks every key.
    if (now < this.#nextSweep) return;
    this.#nextSweep = now + 1000;
    for (const [key, window] of this.#windows) if (window.resetAt <= now) this.#windows.delete(key);
  }

  #evict(now: number): void {
    this.#nextSweep = 0;
    this.#sweep(now);
    if (this.#windows.size < this.#maxKeys) return;
    // Still full of open windows: drop the oldest keys (Map order is insertion order).
    const excess = this.#windows.size - this.#maxKeys + 1;
    let dropped = 0;
    for (const key of this.#windows.keys()) {
      if (dropped++ >= excess) break;
      this.#windows.delete(key);
    }
  }
}
