/**
 * Where server-side sessions live: the `SessionStore` interface and two stores — the
 * database (the `auth.Session` model) and process memory (Redis: `redis-session-store.ts`).
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
  /**
   * Sets only `lastSeen` of the record under `key` (nothing when there is none): the idle
   * timeout's write, which must not undo a save of the record made meanwhile. Without it,
   * the record read at the request's start is written back whole with `set()`.
   */
  touch?(key: string, lastSeen: number): Promise<void>;
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

/** Throws a `TypeError` naming what is wrong with a record given to `set()`. */
export function checkRecord(record: SessionRecord): void {
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

  async touch(key: string, lastSeen: number): Promise<void> {
    assertSessionKey(key);
    await query(this.#db(), Session)
      .filter({ key })
      .update({ lastSeen: new Date(lastSeen) });
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
  /** Seconds between sweeps of expired records, run by `set()`. Default 60. */
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
    this.#sweepInterval = Math.round((options.sweepInterval ?? 60) * 1000);
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

  async touch(key: string, lastSeen: number): Promise<void> {
    assertSessionKey(key);
    const record = this.#records.get(key);
    if (record) record.lastSeen = lastSeen;
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
