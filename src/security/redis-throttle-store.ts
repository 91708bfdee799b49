/**
 * A {@link ThrottleStore} in Redis, shared by every process of the app. Volt depends on no Redis
 * library: pass a connected client of `redis` (node-redis) or `ioredis` as it is ({@link RedisClient}).
 */
import { isRedisClient, type RedisClient, redisCommand } from './redis-client.ts';
import { RedisGuard, type RedisGuardOptions, StoreUnavailableError } from './redis-guard.ts';
import { MemoryThrottleStore, type ThrottleStore, type ThrottleWindow } from './throttle-store.ts';

/** Options of {@link RedisThrottleStore}. */
export interface RedisThrottleStoreOptions extends RedisGuardOptions {
  /** Prepended to every key. Default `volt:throttle:`. */
  prefix?: string;
  /**
   * Where counts go while Redis cannot answer: a store of this process (a new
   * `MemoryThrottleStore` by default), so limits still hold during an outage, per process.
   * `false`: no fallback, a 503 instead.
   */
  fallback?: ThrottleStore | false;
  /**
   * How many keys' windows last read from Redis this process remembers (the most recently
   * used), so that a key counted or locked in Redis stays so while Redis is away. Default
   * 10 000 (about a megabyte); 0 remembers none.
   */
  remember?: number;
}

// One round trip, atomic: count, open the window on the first hit, answer count and time left.
const HIT = `local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if count == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}`;

const PEEK = `local count = redis.call('GET', KEYS[1])
if not count then return nil end
return {tonumber(count), redis.call('PTTL', KEYS[1])}`;

const RESET = `return redis.call('DEL', KEYS[1])`;

// What the fallback counted during an outage, added to Redis once it answers: per key, whether
// it was reset (forget Redis's count first), the hits since, and the ms left in their window.
const MERGE = `for i, key in ipairs(KEYS) do
  local reset, hits, ms = ARGV[i * 3 - 2], tonumber(ARGV[i * 3 - 1]), ARGV[i * 3]
  if reset == '1' then redis.call('DEL', key) end
  if hits > 0 then
    local count = redis.call('INCRBY', key, hits)
    if count == hits or redis.call('PTTL', key) < 0 then redis.call('PEXPIRE', key, ms) end
  end
end
return #KEYS`;

/** Keys sent in one MERGE script. */
const MERGE_BATCH = 200;

/** Most keys whose outage counts are kept for Redis; past it the oldest are dropped. */
const MAX_PENDING = 100_000;

/** What the fallback did to a key during an outage, to be told to Redis. */
interface Pending {
  reset: boolean;
  hits: number;
  resetAt: number;
}

/**
 * Counts in Redis (`INCR` with a millisecond expiry per key, in one script). The store adds
 * its own `error` listener to the client, so losing Redis never crashes the process, and logs
 * when an outage starts and ends (`logger`). While Redis is away (the client reconnecting, or
 * a command past `commandTimeout`), counts go to `fallback`, on top of the last count this
 * process read from Redis for the key (so a key locked in Redis stays locked); once Redis
 * answers again, the next command first adds the hits counted meanwhile to Redis.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * const redis = await createClient({ url: app.settings.redisUrl }).connect();
 * const store = new RedisThrottleStore(redis);
 * ```
 */
export class RedisThrottleStore implements ThrottleStore {
  readonly #client: RedisClient;
  readonly #prefix: string;
  readonly #guard: RedisGuard;
  readonly #fallback: ThrottleStore | false;
  readonly #remember: number;
  /** The last window read from Redis per key, least recently used first. */
  readonly #seen = new Map<string, ThrottleWindow>();
  /** What the fallback did during an outage, not yet told to Redis. */
  #pending = new Map<string, Pending>();
  #merging: Promise<void> | undefined;

  constructor(client: RedisClient, options: RedisThrottleStoreOptions = {}) {
    if (!isRedisClient(client))
      throw new TypeError(
        'RedisThrottleStore needs a connected Redis client of redis (node-redis) or ioredis',
      );
    this.#client = client;
    this.#prefix = options.prefix ?? 'volt:throttle:';
    this.#guard = new RedisGuard(client, 'The throttle store', options);
    this.#fallback = options.fallback ?? new MemoryThrottleStore();
    this.#remember = options.remember ?? 10_000;
    if (!Number.isSafeInteger(this.#remember) || this.#remember < 0)
      throw new TypeError(`remember must be a whole number of keys, 0 or more, got ${this.#remember}`);
  }

  async hit(key: string, windowMs: number): Promise<ThrottleWindow> {
    const ms = String(Math.max(1, Math.ceil(windowMs)));
    const window = await this.#eval(HIT, key, [ms], async (store) => {
      const own = await store.hit(key, windowMs);
      const pending = this.#pend(key);
      pending.hits++;
      pending.resetAt = own.resetAt;
      return own;
    });
    return window as ThrottleWindow;
  }

  async peek(key: string): Promise<ThrottleWindow | undefined> {
    return this.#eval(PEEK, key, [], (store) => store.peek(key));
  }

  async reset(key: string): Promise<void> {
    await this.#eval(RESET, key, [], async (store) => {
      await store.reset(key);
      this.#seen.delete(key);
      this.#pending.delete(key);
      this.#pend(key).reset = true;
      return undefined;
    });
  }

  async #eval(
    script: string,
    key: string,
    args: string[],
    fallback: (store: ThrottleStore) => Promise<ThrottleWindow | undefined>,
  ): Promise<ThrottleWindow | undefined> {
    const fallBack = async (store: ThrottleStore) => this.#withSeen(key, await fallback(store));
    if (this.#fallback && !this.#guard.available) return fallBack(this.#fallback);
    try {
      if (this.#pending.size > 0) await this.#merge();
      const reply = await this.#guard.run((signal) => this.#send(signal, script, [this.#prefix + key], args));
      const window = script === RESET ? undefined : toWindow(reply);
      this.#see(key, window);
      return window;
    } catch (error) {
      if (this.#fallback && error instanceof StoreUnavailableError) return fallBack(this.#fallback);
      throw error;
    }
  }

  /** Runs a script; the signal drops it if not sent yet (node-redis), so it is not counted late. */
  #send(signal: AbortSignal, script: string, keys: string[], args: string[]): Promise<unknown> {
    return redisCommand(this.#client, ['EVAL', script, String(keys.length), ...keys, ...args], signal);
  }

  /** Remembers the window Redis answered for `key` (or that it has none). */
  #see(key: string, window: ThrottleWindow | undefined): void {
    this.#seen.delete(key);
    if (window === undefined || this.#remember === 0) return;
    this.#seen.set(key, window);
    if (this.#seen.size > this.#remember) this.#seen.delete(this.#seen.keys().next().value!);
  }

  /**
   * The fallback's window of `key` on top of the last one Redis answered, while that one is
   * open: the fallback counts only what happened since Redis stopped answering.
   */
  #withSeen(key: string, own: ThrottleWindow | undefined): ThrottleWindow | undefined {
    const seen = this.#seen.get(key);
    if (seen === undefined || seen.resetAt <= Date.now()) return own;
    return own === undefined ? { ...seen } : { count: seen.count + own.count, resetAt: seen.resetAt };
  }

  /** The outage record of `key` (a new one if none). */
  #pend(key: string): Pending {
    let pending = this.#pending.get(key);
    if (pending === undefined) {
      pending = { reset: false, hits: 0, resetAt: 0 };
      this.#pending.set(key, pending);
      if (this.#pending.size > MAX_PENDING) this.#pending.delete(this.#pending.keys().next().value!);
    }
    return pending;
  }

  /** Tells Redis what the fallback counted during the outage (once, by whoever comes first). */
  #merge(): Promise<void> {
    this.#merging ??= this.#sendPending().finally(() => {
      this.#merging = undefined;
    });
    return this.#merging;
  }

  async #sendPending(): Promise<void> {
    const now = Date.now();
    const open = [...this.#pending].filter(([, p]) => p.reset || p.resetAt > now);
    this.#pending = new Map();
    for (let start = 0; start < open.length; start += MERGE_BATCH) {
      const part = open.slice(start, start + MERGE_BATCH);
      const keys = part.map(([key]) => this.#prefix + key);
      const args = part.flatMap(([, p]) => [
        p.reset ? '1' : '0',
        String(p.hits),
        String(Math.max(1, p.resetAt - now)),
      ]);
      try {
        await this.#guard.run((signal) => this.#send(signal, MERGE, keys, args));
      } catch (error) {
        // Redis went away again: keep what it was not told, under anything counted since.
        // (Any other error drops them: it would fail again on every later request.)
        if (error instanceof StoreUnavailableError)
          for (const [key, p] of open.slice(start)) this.#unsend(key, p);
        throw error;
      }
      // Redis holds these counts now: the fallback forgets them, or a later outage would add
      // them twice (once in the window read from Redis, once in the fallback's).
      for (const [key] of part) {
        this.#seen.delete(key);
        if (this.#fallback) await this.#fallback.reset(key);
      }
    }
  }

  /** Puts back what Redis was not told about `key`, before what the fallback counted since. */
  #unsend(key: string, earlier: Pending): void {
    const since = this.#pending.get(key);
    if (since?.reset) return;
    this.#pending.set(key, {
      reset: earlier.reset,
      hits: earlier.hits + (since?.hits ?? 0),
      resetAt: Math.max(earlier.resetAt, since?.resetAt ?? 0),
    });
  }
}

function toWindow(reply: unknown): ThrottleWindow | undefined {
  if (!Array.isArray(reply)) return undefined;
  const [count, ttl] = reply.map(Number) as [number, number];
  if (!Number.isFinite(count) || !Number.isFinite(ttl) || ttl < 0) return undefined;
  return { count, resetAt: Date.now() + ttl };
}
