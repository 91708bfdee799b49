/**
 * The connection every ORM query runs on: `connect(url)` and the `Database` interface that the
 * dialects (`dialects/sqlite/`, `dialects/postgres/`) implement.
 */
import type { Kysely } from 'kysely';
import type { DialectOps } from './dialects/ops.ts';
import { DIALECTS, type DialectName, dialectForUrl } from './dialects/registry.ts';
import type { WriteObservers } from './observers.ts';

/** The SQL dialects Volt speaks: `'sqlite' | 'postgres'` (listed in `dialects/registry.ts`). */
export type { DialectName };

/** A value bound to a `?` / `$n` placeholder. Booleans become 1/0 on SQLite. */
export type SqlValue = string | number | bigint | boolean | null | Uint8Array | Date | object;

/** What `run()` reports. `lastInsertId` is SQLite's last rowid (PostgreSQL: use `RETURNING`). */
export interface RunResult {
  changes: number;
  lastInsertId?: number | bigint;
}

/** Something that receives warnings, such as an idle PostgreSQL client's error. Pino loggers fit. */
export interface DatabaseLogger {
  error(object: unknown, message?: string): void;
}

/**
 * A connection (SQLite) or pool (PostgreSQL). SQL uses the dialect's own placeholders — `?` on
 * SQLite, `$1, $2…` on PostgreSQL — exactly what Kysely's `compile()` produces. Values are always
 * sent as parameters, never spliced into the SQL.
 *
 * @example
 * ```ts
 * const db = await connect('sqlite::memory:');
 * await db.run('create table t (id integer primary key, name text)');
 * await db.run('insert into t (name) values (?)', ['Ada']);
 * const row = await db.get<{ name: string }>('select name from t where id = ?', [1]);
 * await db.transaction(async (tx) => { await tx.run('delete from t'); });
 * await db.close();
 * ```
 */
export interface Database {
  readonly dialect: DialectName;
  /**
   * What the ORM does differently on this dialect (column types, value conversions, lookup SQL,
   * DDL differences): fields, queries and migrations ask it instead of comparing `dialect`.
   * Internal to Volt's ORM; its shape may change between releases.
   *
   * @internal
   */
  readonly ops: DialectOps;
  /**
   * The write observers of this connection or pool (`observeWrites()`), shared by its views
   * and transactions. Internal to Volt's ORM; its shape may change between releases.
   *
   * @internal
   */
  readonly observers: WriteObservers;
  /** `true` for the `tx` a `transaction()` callback receives (and its savepoints). */
  readonly inTransaction: boolean;
  /**
   * The IANA time zone `trunc()` and `extract()` read datetimes in (`connect()`'s `timeZone`,
   * the `TIME_ZONE` setting in an app): `'UTC'` unless set. Datetimes are stored in UTC
   * whatever it is.
   */
  readonly timeZone: string;
  /**
   * A Kysely instance over this connection or transaction, to build and compile SQL. Queries it
   * executes go through this `Database` (same lock, statement cache and error mapping); use
   * `db.transaction()` rather than `kysely.transaction()`.
   */
  readonly kysely: Kysely<any>;
  /** Every row, as plain objects. */
  all<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /**
   * Every row as an array of its column values, in the order the statement selects them: no
   * object per row, which is what the query layer reads (it builds its rows itself).
   */
  arrays(sql: string, params?: readonly unknown[]): Promise<unknown[][]>;
  /** The first row, or `undefined`. */
  get<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  /** A statement that returns no rows (or whose rows you don't need). */
  run(sql: string, params?: readonly unknown[]): Promise<RunResult>;
  /**
   * Runs `fn` in a transaction: commits when it resolves, rolls back and rethrows when it throws.
   * Use `tx` (not the outer `db`) inside. `tx.transaction()` opens a SAVEPOINT: its rollback keeps
   * the outer transaction's work.
   */
  transaction<T>(fn: (tx: Database) => Promise<T>): Promise<T>;
  /**
   * A view of this database (or transaction) whose work stops when `signal` aborts: no new
   * statement or transaction starts (they fail with `DatabaseAbortedError`), a PostgreSQL
   * statement that is running is cancelled (a cancel request to the server; its transaction
   * rolls back), and waits for a pooled connection, the SQLite connection or another process's
   * lock end. A SQLite statement that has started runs to its end: node:sqlite cannot interrupt
   * it. The view shares everything else (pool, connection, transaction) with this one; making
   * one costs an object. Hand it the request's signal so a client that went away stops its work.
   *
   * @example
   * ```ts
   * app.get('/report', {}, (ctx) => db.withSignal(ctx.signal).all('select … slow …'));
   * ```
   */
  withSignal(signal: AbortSignal): Database;
  /**
   * A view of this database reading datetimes in `timeZone` (an IANA name, checked) for
   * `trunc()` and `extract()`; it shares everything else with this one (its `close()` closes
   * the connection or pool). An app viewing a test's database in its `TIME_ZONE` uses it.
   *
   * @example
   * ```ts
   * const paris = db.withTimeZone('Europe/Paris');
   * await query(paris, Order).annotate({ day: trunc('placedAt', 'day') }).groupBy('day').aggregate({ n: count() });
   * ```
   */
  withTimeZone(timeZone: string): Database;
  /** Quotes a table or column name for this dialect (`"name"`, with inner quotes doubled). */
  quoteIdentifier(name: string): string;
  /** Closes the connection or pool (waits for a running transaction on SQLite). Not on a `withSignal()` view. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Options of `connect()`. Options that do not apply to a dialect are ignored. The timeouts
 * mirror the drivers' own (SQLite's `busy_timeout`, `pg`'s `connectionTimeoutMillis`), so they
 * keep the drivers' unit, milliseconds, and say so with an `Ms` suffix; every other duration in
 * Volt's settings and options is in seconds (docs/guides/settings.md, "Durations").
 */
export interface ConnectOptions {
  /**
   * SQLite: how long to wait for another process's write lock, in ms, before failing with
   * `DatabaseBusyError` (default 5000). The wait does not block the event loop.
   */
  busyTimeoutMs?: number;
  /**
   * How many prepared statements to keep, least recently used dropped. SQLite: per connection,
   * default 500. PostgreSQL: named statements per pooled connection, each parsed and planned
   * once there instead of on every call; default 100; 0 sends every statement unnamed (for a
   * pooler that does not keep prepared statements, such as PgBouncer before 1.21 in
   * transaction mode).
   */
  statementCacheSize?: number;
  /** PostgreSQL: the pool size (default 10). */
  max?: number;
  /**
   * PostgreSQL: ms to wait for a pooled connection — a free one, or a new one to be
   * established — before failing with `DatabaseBusyError` (all in use) or
   * `DatabaseUnavailableError` (the server did not answer). Default 5000; 0 waits forever.
   */
  connectionTimeoutMs?: number;
  /** PostgreSQL: the `search_path` set on every pooled connection (e.g. a test schema). */
  searchPath?: string;
  /**
   * The IANA time zone (`'Europe/Paris'`) that `trunc()` and `extract()` read datetimes in,
   * as Django's `TIME_ZONE`: a month starts at midnight there. Default `'UTC'`. Checked when
   * connecting; datetimes are stored in UTC whatever it is.
   */
  timeZone?: string;
  /**
   * Where errors of idle PostgreSQL clients go: pass the app's logger (`app.fastify.log`).
   * Default: one JSON line on stderr.
   */
  logger?: DatabaseLogger;
}

/**
 * Opens a database from a URL:
 * - `sqlite::memory:` — an in-memory SQLite database;
 * - `sqlite:./data/app.db` (or `sqlite:///abs/path.db`) — a file, its folder created if missing;
 * - `postgres://user:password@host:5432/db` or `postgresql://…` — a pooled PostgreSQL connection.
 *
 * @example
 * ```ts
 * const db = await connect(process.env.DATABASE_URL ?? 'sqlite:./data/app.db');
 * ```
 */
export async function connect(url: string, options: ConnectOptions = {}): Promise<Database> {
  const dialect = dialectForUrl(url);
  if (dialect) return dialect.open(url, options);
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0] ?? '(none)';
  const examples = DIALECTS.flatMap((d) => d.exampleUrls);
  throw new Error(
    `Unsupported database URL scheme ${scheme}: use ${examples.slice(0, -1).join(', ')} or ${examples.at(-1)}`,
  );
}
