/**
 * A {@link ThrottleStore} in Redis, shared by every process of the app. Volt depends on no Redis
 * library: pass a connected client of your own that has the one method used, `eval`.
 */
import { RedisGuard, type RedisGuardOptions, StoreUnavailableError } from './redis-guard.ts';
import { MemoryThrottleStore, type ThrottleStore, type ThrottleWindow } from './throttle-store.ts';

/**
 * The part of a Redis client the store uses: node-redis v4/v5 clients have it as is. For
 * ioredis, adapt it: `{ eval: (script, { keys, arguments: args }) => redis.eval(script, keys.length, ...keys, ...args) }`.
 */
export interface RedisEvalClient {
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

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

/**
 * Counts in Redis (`INCR` with a millisecond expiry per key, in one script). The store adds
 * its own `error` listener to the client, so losing Redis never crashes the process; while
 * Redis is away (the client reconnecting, or a command past `commandTimeout`), counts go to
 * `fallback`, and back to Redis once it answers again.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * const redis = await createClient({ url: app.settings.redisUrl }).connect();
 * const store = new RedisThrottleStore(redis);
 * ```
 */
export class RedisThrottleStore implements ThrottleStore {
  readonly #client: RedisEvalClient;
  readonly #prefix: string;
  readonly #guard: RedisGuard;
  readonly #fallback: ThrottleStore | false;

  constructor(client: RedisEvalClient, options: RedisThrottleStoreOptions = {}) {
    if (typeof client?.eval !== 'function')
      throw new TypeError('RedisThrottleStore needs a connected Redis client with an eval() method');
    this.#client = client;
    this.#prefix = options.prefix ?? 'volt:throttle:';
    this.#guard = new RedisGuard(client, 'The throttle store', options);
    this.#fallback = options.fallback ?? new MemoryThrottleStore();
  }

  async hit(key: string, windowMs: number): Promise<ThrottleWindow> {
    const window = String(Math.max(1, Math.ceil(windowMs)));
    return this.#eval(HIT, key, [window], (store) => store.hit(key, windowMs)) as Promise<ThrottleWindow>;
  }

  async peek(key: string): Promise<ThrottleWindow | undefined> {
    return this.#eval(PEEK, key, [], (store) => store.peek(key));
  }

  async reset(key: string): Promise<void> {
    await this.#eval(RESET, key, [], async (store) => {
      await store.reset(key);
      return undefined;
    });
  }

  async #eval(
    script: string,
    key: string,
    args: string[],
    fallback: (store: ThrottleStore) => Promise<ThrottleWindow | undefined>,
  ): Promise<ThrottleWindow | undefined> {
    if (this.#fallback && !this.#guard.available) return fallback(this.#fallback);
    try {
      const reply = await this.#guard.run(() =>
        this.#client.eval(script, { keys: [this.#prefix + key], arguments: args }),
      );
      return script === RESET ? undefined : toWindow(reply);
    } catch (error) {
      if (this.#fallback && error instanceof StoreUnavailableError) return fallback(this.#fallback);
      throw error;
    }
  }
}

function toWindow(reply: unknown): ThrottleWindow | undefined {
  if (!Array.isArray(reply)) return undefined;
  const [count, ttl] = reply.map(Number) as [number, number];
  if (!Number.isFinite(count) || !Number.isFinite(ttl) || ttl < 0) return undefined;
  return { count, resetAt: Date.now() + ttl };
}
