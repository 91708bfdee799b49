/**
 * Sessions in Redis: the {@link RedisSessionStore}, shared by every process of the app.
 */
import { createHash } from 'node:crypto';
import { isRedisClient, type RedisClient, redisCommand } from '../security/redis-client.ts';
import { RedisGuard, type RedisGuardOptions } from '../security/redis-guard.ts';
import { assertSessionKey, checkRecord, type SessionRecord, type SessionStore } from './session-store.ts';

/** Options of {@link RedisSessionStore}. */
export interface RedisSessionStoreOptions extends RedisGuardOptions {
  /** Prepended to every key the store writes. Default `volt:session:`. */
  prefix?: string;
}

// Each script runs atomically in Redis. Keys: <prefix>s:<key> holds the record's JSON (its TTL
// the session's expiry); <prefix>u:<userId> is a sorted set of the user's session keys scored by
// expiry, so destroyUser finds them and entries of expired sessions can be pruned by score.
const SET_SCRIPT = `
local prefix, key, value, expiresAt, now, userId = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
local sessionKey = prefix .. 's:' .. key
local old = redis.call('GET', sessionKey)
if old then
  local oldUser = cjson.decode(old).userId
  if type(oldUser) == 'string' and oldUser ~= userId then redis.call('ZREM', prefix .. 'u:' .. oldUser, key) end
end
if expiresAt <= now then
  redis.call('DEL', sessionKey)
  if userId ~= '' then redis.call('ZREM', prefix .. 'u:' .. userId, key) end
  return 0
end
redis.call('SET', sessionKey, value, 'PXAT', expiresAt)
if userId ~= '' then
  local index = prefix .. 'u:' .. userId
  redis.call('ZADD', index, expiresAt, key)
  redis.call('ZREMRANGEBYSCORE', index, '-inf', now)
  local last = redis.call('ZRANGE', index, -1, -1, 'WITHSCORES')
  redis.call('PEXPIREAT', index, last[2])
end
return 1
`;

// The idle timeout's write: only the time, in place, so a save made since the record was read
// stays. JSON.stringify writes lastSeen last; a string in the data cannot end the record with
// `,"lastSeen":…}` (its quotes are escaped), so the anchored pattern only finds the real one.
const TOUCH_SCRIPT = `
local sessionKey = ARGV[1] .. 's:' .. ARGV[2]
local value = redis.call('GET', sessionKey)
if not value then return 0 end
local touched, found = string.gsub(value, ',"lastSeen":[%d%.eE%+%-]+}$', ',"lastSeen":' .. ARGV[3] .. '}')
if found == 0 then return 0 end
redis.call('SET', sessionKey, touched, 'KEEPTTL')
return 1
`;

const DESTROY_SCRIPT = `
local prefix, key = ARGV[1], ARGV[2]
local sessionKey = prefix .. 's:' .. key
local old = redis.call('GET', sessionKey)
if old then
  local oldUser = cjson.decode(old).userId
  if type(oldUser) == 'string' then redis.call('ZREM', prefix .. 'u:' .. oldUser, key) end
end
return redis.call('DEL', sessionKey)
`;

const DESTROY_USER_SCRIPT = `
local prefix, userId, except = ARGV[1], ARGV[2], ARGV[3]
local index = prefix .. 'u:' .. userId
local removed = 0
for _, key in ipairs(redis.call('ZRANGE', index, 0, -1)) do
  if key ~= except then
    removed = removed + redis.call('DEL', prefix .. 's:' .. key)
    redis.call('ZREM', index, key)
  end
end
return removed
`;

/** A Lua script and its SHA-1, computed once for `EVALSHA`. */
interface Script {
  source: string;
  sha: string;
}

function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

const SET = script(SET_SCRIPT);
const TOUCH = script(TOUCH_SCRIPT);
const DESTROY = script(DESTROY_SCRIPT);
const DESTROY_USER = script(DESTROY_USER_SCRIPT);

/**
 * Sessions in Redis, shared by every process of the app. Each record expires by itself (its
 * TTL is `expiresAt`); a sorted set per user lists the user's sessions for `destroyUser`.
 * Writes are Lua scripts, atomic on one Redis server (not a cluster: a user's keys may live in
 * other slots). Volt depends on no Redis library: pass a connected client of `redis`
 * (node-redis) or `ioredis` as it is ({@link RedisClient}).
 *
 * The store adds its own `error` listener to the client (when it has `on`), so losing Redis
 * never crashes the process. While Redis is away — the client reconnecting, or a command
 * taking longer than `commandTimeout` — requests that need a session get a 503 with
 * `Retry-After` at once, rather than waiting for the outage to end; they are served again as
 * soon as Redis answers.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * const redis = await createClient({ url: settings.redisUrl }).connect(); // or ioredis: new Redis(url)
 * const store = new RedisSessionStore(redis, { prefix: 'shop:session:' });
 * ```
 */
export class RedisSessionStore implements SessionStore {
  readonly #client: RedisClient;
  readonly #guard: RedisGuard;
  /** The prefix of every key the store writes. */
  readonly prefix: string;

  constructor(client: RedisClient, options: RedisSessionStoreOptions = {}) {
    if (!isRedisClient(client))
      throw new TypeError(
        'RedisSessionStore needs a connected Redis client of redis (node-redis) or ioredis',
      );
    this.#client = client;
    this.#guard = new RedisGuard(client, 'The session store', options);
    this.prefix = options.prefix ?? 'volt:session:';
  }

  async get(key: string): Promise<SessionRecord | undefined> {
    assertSessionKey(key);
    const raw = await this.#send(['GET', `${this.prefix}s:${key}`]);
    if (typeof raw !== 'string') return undefined;
    const record = JSON.parse(raw) as SessionRecord;
    // Redis expires the key itself; this covers the clock difference between app and server.
    return record.expiresAt > Date.now() ? record : undefined;
  }

  async set(key: string, record: SessionRecord): Promise<void> {
    assertSessionKey(key);
    checkRecord(record);
    const { userId, data, expiresAt, lastSeen } = record;
    const value = JSON.stringify({ userId, data, expiresAt, lastSeen });
    const expiry = String(Math.ceil(expiresAt));
    await this.#run(SET, [this.prefix, key, value, expiry, String(Date.now()), userId ?? '']);
  }

  async touch(key: string, lastSeen: number): Promise<void> {
    assertSessionKey(key);
    await this.#run(TOUCH, [this.prefix, key, String(Math.floor(lastSeen))]);
  }

  async destroy(key: string): Promise<void> {
    assertSessionKey(key);
    await this.#run(DESTROY, [this.prefix, key]);
  }

  async destroyUser(userId: string, options: { except?: string } = {}): Promise<void> {
    await this.#run(DESTROY_USER, [this.prefix, String(userId), options.except ?? '']);
  }

  /**
   * Redis deletes expired sessions by itself; this prunes the entries of expired sessions from
   * the per-user sets (also pruned on each `set()` of that user) and returns how many it removed.
   */
  async clearExpired(): Promise<number> {
    const now = String(Date.now());
    let removed = 0;
    let cursor = '0';
    do {
      const reply = (await this.#send([
        'SCAN',
        cursor,
        'MATCH',
        `${escapeGlob(this.prefix)}u:*`,
        'COUNT',
        '500',
      ])) as [string, string[]];
      cursor = String(reply[0]);
      for (const index of reply[1])
        removed += Number(await this.#send(['ZREMRANGEBYSCORE', index, '-inf', now]));
    } while (cursor !== '0');
    return removed;
  }

  /** One command, within the guard's time bound (a 503 error when Redis cannot answer). */
  #send(args: string[]): Promise<unknown> {
    return this.#guard.run((signal) => redisCommand(this.#client, args, signal));
  }

  async #run(script: Script, args: string[]): Promise<unknown> {
    try {
      return await this.#send(['EVALSHA', script.sha, '0', ...args]);
    } catch (error) {
      if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error;
      return this.#send(['EVAL', script.source, '0', ...args]);
    }
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
