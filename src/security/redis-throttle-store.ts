/**
 * A {@link ThrottleStore} in Redis, shared by every process of the app. Volt depends on no Redis
 * library: pass a connected client of your own that has the one method used, `eval`.
 */
import type { ThrottleStore, ThrottleWindow } from './throttle-store.ts';

/**
 * The part of a Redis client the store uses: node-redis v4/v5 clients have it as is. For
 * ioredis, adapt it: `{ eval: (script, { keys, arguments: args }) => redis.eval(script, keys.length, ...keys, ...args) }`.
 */
export interface RedisEvalClient {
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/** Options of {@link RedisThrottleStore}. */
export interface RedisThrottleStoreOptions {
  /** Prepended to every key. Default `volt:throttle:`. */
  prefix?: string;
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
 * Counts in Redis (`INCR` with a millisecond expiry per key, in one script).
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

  constructor(client: RedisEvalClient, options: RedisThrottleStoreOptions = {}) {
    if (typeof client?.eval !== 'function')
      throw new TypeError('RedisThrottleStore needs a connected Redis client with an eval() method');
    this.#client = client;
    this.#prefix = options.prefix ?? 'volt:throttle:';
  }

  async hit(key: string, windowMs: number): Promise<ThrottleWindow> {
    const reply = await this.#client.eval(HIT, {
      keys: [this.#prefix + key],
      arguments: [String(Math.max(1, Math.ceil(windowMs)))],
    });
    return toWindow(reply)!;
  }

  async peek(key: string): Promise<ThrottleWindow | undefined> {
    return toWindow(await this.#client.eval(PEEK, { keys: [this.#prefix + key], arguments: [] }));
  }

  async reset(key: string): Promise<void> {
    await this.#client.eval(RESET, { keys: [this.#prefix + key], arguments: [] });
  }
}

function toWindow(reply: unknown): ThrottleWindow | undefined {
  if (!Array.isArray(reply)) return undefined;
  const [count, ttl] = reply.map(Number) as [number, number];
  if (!Number.isFinite(count) || !Number.isFinite(ttl) || ttl < 0) return undefined;
  return { count, resetAt: Date.now() + ttl };
}
