/**
 * Where server-side sessions live: the `SessionStore` interface and three stores — the
 * database (the `auth.Session` model), process memory, and Redis.
 *
 * Stores receive keys already hashed: the SHA-256 (hex) of the id in the cookie. A store never
 * sees the cookie's id, so a leaked table or Redis dump holds no usable session.
 */
import { createHash } from 'node:crypto';
import { type Database, query, ValidationError } from '../orm/index.ts';
import { orUndefined } from './found.ts';
import { Session } from './models.ts';

/** A session as stored. Times are milliseconds since the epoch. */
export interface SessionRecord {
  /** The logged-in user's primary key as a string, or `null` for an anonymous session. */
  userId: string | null;
  /** The session's data; must survive `JSON.stringify` (stores keep a JSON copy). */
  data: Record<string, unknown>;
  /** When the session ends (ms epoch); `get()` never returns it after that. */
  expiresAt: number;
  /** When the session was last used (ms epoch), for the idle timeout. */
  lastSeen: number;
}

/**
 * Keeps sessions by hashed key.
 *
 * @example
 * ```ts
 * const key = createHash('sha256').update(cookieId).digest('hex');
 * await store.set(key, { userId: '42', data: {}, expiresAt: Date.now() + 14 * 86_400_000, lastSeen: Date.now() });
 * const record = await store.get(key); // undefined once expired
 * ```
 */
export interface SessionStore {
  /** The record under `key`, or `undefined` when there is none or it has expired. */
  get(key: string): Promise<SessionRecord | undefined>;
  /** Creates or replaces the record under `key`. */
  set(key: string, record: SessionRecord): Promise<void>;
  /** Deletes the record under `key` (no error when there is none). */
  destroy(key: string): Promise<void>;
  /** Deletes every session of a user (log out everywhere), but the one keyed `except`. */
  destroyUser(userId: string, options?: { except?: string }): Promise<void>;
  /** Deletes expired records; returns how many it removed (Redis expires records itself: see {@link RedisSessionStore.clearExpired}). */
  clearExpired(): Promise<number>;
}

const SESSION_KEY = /^[0-9a-f]{64}$/;

/**
 * Throws unless `key` is a SHA-256 hex digest, the only key a store accepts: passing the
 * cookie's id itself would store a usable credential.
 */
export function assertSessionKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || !SESSION_KEY.test(key))
    throw new TypeError(
      'A session store key must be the SHA-256 hex of the cookie id (sessionKey(id)), not the id itself',
    );
}

/**
 * The store key of a cookie's session id: its SHA-256, in hex.
 *
 * @example
 * ```ts
 * await store.get(sessionKey(request.cookies.volt_session));
 * ```
 */
export function sessionKey(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('hex');
}

function checkRecord(record: SessionRecord): void {
  if (typeof record !== 'object' || record === null)
    throw new TypeError('A session record must be an object');
  if (record.userId !== null && (typeof record.userId !== 'string' || record.userId === ''))
    throw new TypeError(
      'SessionRecord.userId must be a non-empty string or null (stringify the primary key)',
    );
  if (typeof record.data !== 'object' || record.data === null || Array.isArray(record.data))
    throw new TypeError('SessionRecord.data must be a plain object');
  for (const name of ['expiresAt', 'lastSeen'] as const)
    if (!Number.isFinite(record[name])) throw new TypeError(`SessionRecord.${name} must be a time in ms`);
}

/** A JSON copy, so a caller mutating a record never changes what a store holds. */
function copyData(data: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(data)) as Record<string, unknown>;
}

/**
 * Sessions in the database, one `auth.Session` row each (its table comes from the auth
 * migrations). Give the database, or a function returning it when the store is made before
 * the database is opened.
 *
 * @example
 * ```ts
 * const store = new DatabaseSessionStore(() => app.state.db);
 * ```
 */
export class DatabaseSessionStore implements SessionStore {
  readonly #db: () => Database;

  constructor(db: Database | (() => Database)) {
    this.#db = typeof db === 'function' ? db : () => db;
  }

  async get(key: string): Promise<SessionRecord | undefined> {
    assertSessionKey(key);
    // get() by the primary key takes the ORM's cached single-row plan (this runs on every request).
    const row = await orUndefined(query(this.#db(), Session).get({ key }));
    if (!row || row.expiresAt.getTime() <= Date.now()) return undefined;
    return {
      userId: row.userId,
      data: row.data as Record<string, unknown>,
      expiresAt: row.expiresAt.getTime(),
      lastSeen: row.lastSeen.getTime(),
    };
  }

  async set(key: string, record: SessionRecord): Promise<void> {
    assertSessionKey(key);
    checkRecord(record);
    const values = {
      userId: record.userId,
      data: copyData(record.data),
      expiresAt: new Date(record.expiresAt),
      lastSeen: new Date(record.lastSeen),
    };
    const sessions = query(this.#db(), Session);
    // Most writes touch an existing session: one UPDATE, and an INSERT only when it changed nothing.
    if ((await sessions.filter({ key }).update(values)) > 0) return;
    try {
      await sessions.create({ key, ...values });
    } catch (error) {
      // Another request inserted the same key first: update the row it made.
      if (!(error instanceof ValidationError && error.errors.some((e) => e.type === 'unique'))) throw error;
      await sessions.filter({ key }).update(values);
    }
  }

  async destroy(key: string): Promise<void> {
    assertSessionKey(key);
    await query(this.#db(), Session).filter({ key }).delete();
  }

  async destroyUser(userId: string, options: { except?: string } = {}): Promise<void> {
    const sessions = query(this.#db(), Session).filter({ userId: String(userId) });
    await (options.except === undefined ? sessions : sessions.exclude({ key: options.except })).delete();
  }

  async clearExpired(): Promise<number> {
    return query(this.#db(), Session).filter({ expiresAt__lte: new Date() }).delete();
  }
}

/** Options of {@link MemorySessionStore}. */
export interface MemorySessionStoreOptions {
  /** Milliseconds between sweeps of expired records, run by `set()`. Default 60 000. */
  sweepInterval?: number;
}

/**
 * Sessions in this process's memory: for development, tests and single-process apps. Lost on
 * restart and not shared between processes. `set()` sweeps expired records at most once per
 * `sweepInterval`, so memory stays bounded by the sessions alive.
 *
 * @example
 * ```ts
 * const store = new MemorySessionStore();
 * ```
 */
export class MemorySessionStore implements SessionStore {
  readonly #records = new Map<string, SessionRecord>();
  readonly #sweepInterval: number;
  #lastSweep = Date.now();

  constructor(options: MemorySessionStoreOptions = {}) {
    this.#sweepInterval = options.sweepInterval ?? 60_000;
  }

  /** How many records are held, expired ones not yet swept included. */
  get size(): number {
    return this.#records.size;
  }

  async get(key: string): Promise<SessionRecord | undefined> {
    assertSessionKey(key);
    const record = this.#records.get(key);
    if (!record) return undefined;
    if (record.expiresAt <= Date.now()) {
      this.#records.delete(key);
      return undefined;
    }
    return { ...record, data: copyData(record.data) };
  }

  async set(key: string, record: SessionRecord): Promise<void> {
    assertSessionKey(key);
    checkRecord(record);
    const now = Date.now();
    if (now - this.#lastSweep >= this.#sweepInterval) this.#sweep(now);
    const { userId, expiresAt, lastSeen } = record;
    this.#records.set(key, { userId, data: copyData(record.data), expiresAt, lastSeen });
  }

  async destroy(key: string): Promise<void> {
    assertSessionKey(key);
    this.#records.delete(key);
  }

  async destroyUser(userId: string, options: { except?: string } = {}): Promise<void> {
    for (const [key, record] of this.#records)
      if (record.userId === String(userId) && key !== options.except) this.#records.delete(key);
  }

  async clearExpired(): Promise<number> {
    return this.#sweep(Date.now());
  }

  #sweep(now: number): number {
    this.#lastSweep = now;
    let removed = 0;
    for (const [key, record] of this.#records)
      if (record.expiresAt <= now) {
        this.#records.delete(key);
        removed++;
      }
    return removed;
  }
}

/**
 * The one Redis call the Redis store makes: a command as its words, answering Redis's reply.
 * node-redis clients fit as they are (`createClient()`); with ioredis, pass
 * `{ sendCommand: (args) => redis.call(args[0], ...args.slice(1)) }`.
 */
export interface RedisCommander {
  sendCommand(args: string[]): Promise<unknown>;
}

/** Options of {@link RedisSessionStore}. */
export interface RedisSessionStoreOptions {
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
const DESTROY = script(DESTROY_SCRIPT);
const DESTROY_USER = script(DESTROY_USER_SCRIPT);

/**
 * Sessions in Redis, shared by every process of the app. Each record expires by itself (its
 * TTL is `expiresAt`); a sorted set per user lists the user's sessions for `destroyUser`.
 * Writes are Lua scripts, atomic on one Redis server (not a cluster: a user's keys may live in
 * other slots). Volt depends on no Redis library: pass any client with `sendCommand`.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * const redis = await createClient({ url: settings.redisUrl }).connect();
 * const store = new RedisSessionStore(redis, { prefix: 'shop:session:' });
 * ```
 */
export class RedisSessionStore implements SessionStore {
  readonly #client: RedisCommander;
  /** The prefix of every key the store writes. */
  readonly prefix: string;

  constructor(client: RedisCommander, options: RedisSessionStoreOptions = {}) {
    if (typeof client?.sendCommand !== 'function')
      throw new TypeError('RedisSessionStore needs a Redis client with sendCommand(args), e.g. node-redis');
    this.#client = client;
    this.prefix = options.prefix ?? 'volt:session:';
  }

  async get(key: string): Promise<SessionRecord | undefined> {
    assertSessionKey(key);
    const raw = await this.#client.sendCommand(['GET', `${this.prefix}s:${key}`]);
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
      const reply = (await this.#client.sendCommand([
        'SCAN',
        cursor,
        'MATCH',
        `${escapeGlob(this.prefix)}u:*`,
        'COUNT',
        '500',
      ])) as [string, string[]];
      cursor = String(reply[0]);
      for (const index of reply[1])
        removed += Number(await this.#client.sendCommand(['ZREMRANGEBYSCORE', index, '-inf', now]));
    } while (cursor !== '0');
    return removed;
  }

  async #run(script: Script, args: string[]): Promise<unknown> {
    try {
      return await this.#client.sendCommand(['EVALSHA', script.sha, '0', ...args]);
    } catch (error) {
      if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error;
      return this.#client.sendCommand(['EVAL', script.source, '0', ...args]);
    }
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
