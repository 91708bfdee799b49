/**
 * SQLite through the built-in `node:sqlite`.
 *
 * node:sqlite is synchronous and one connection is shared by every request of the process, so
 * two requests' transactions could interleave on it and one's ROLLBACK would undo the other's
 * writes. Hence: one lock per connection. A transaction holds it from `BEGIN IMMEDIATE` to
 * `COMMIT`/`ROLLBACK`; statements outside a transaction wait while someone else holds it (and run
 * at once when nobody does). Other processes are held off by `busy_timeout`; past it, SQLite's
 * `SQLITE_BUSY` becomes a `DatabaseBusyError`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import type { Kysely } from 'kysely';
import type { ConnectOptions, Database, RunResult } from '../database.ts';
import { DatabaseError } from '../errors.ts';
import { savepoint, topLevel, transactionBlock } from '../transaction.ts';
import { createKysely, type ExecuteResult } from './kysely.ts';
import { Mutex } from './mutex.ts';
import { quoteIdentifier } from './quote.ts';
import { mapSqliteError } from './sqlite-errors.ts';

interface CachedStatement {
  statement: StatementSync;
  /** The same SQL prepared to return arrays (`arrays()`), made on first use. */
  arrays?: StatementSync;
  reader?: boolean;
}

/** Booleans are not SQLite values: bind them as 1/0. Other values go to node:sqlite as they are. */
function bind(params: readonly unknown[]): SQLInputValue[] {
  for (let i = 0; i < params.length; i++) {
    if (typeof params[i] === 'boolean')
      return params.map((p) => (typeof p === 'boolean' ? Number(p) : p)) as SQLInputValue[];
  }
  return params as SQLInputValue[];
}

/** node:sqlite rows have a null prototype; callers get plain objects. */
function plain<T>(rows: unknown[]): T[] {
  const out = new Array<T>(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = { ...(rows[i] as object) } as T;
  return out;
}

/** The shared state of one SQLite connection: the handle, its statement cache and its lock. */
class Connection {
  readonly db: DatabaseSync;
  readonly lock = new Mutex();
  /** The transaction holding the lock, if any. */
  holder: object | undefined;
  /** The transaction whose callback is running, to catch `db` used where `tx` was meant. */
  readonly context = new AsyncLocalStorage<object>();
  closed = false;
  #cache = new Map<string, CachedStatement>();
  #cacheSize: number;
  /** The most recently used SQL: the last key of `#cache`. */
  #newest: string | undefined;

  constructor(db: DatabaseSync, cacheSize: number) {
    this.db = db;
    this.#cacheSize = cacheSize;
  }

  #prepare(sql: string): CachedStatement {
    if (this.closed) throw new DatabaseError('The database is closed');
    let cached = this.#cache.get(sql);
    if (cached) {
      // Least recently used first: a hit moves to the end (unless it is there already).
      if (sql === this.#newest) return cached;
      this.#cache.delete(sql);
    } else {
      cached = { statement: this.db.prepare(sql) };
      if (this.#cache.size >= this.#cacheSize) this.#cache.delete(this.#cache.keys().next().value!);
    }
    this.#cache.set(sql, cached);
    this.#newest = sql;
    return cached;
  }

  all<T>(sql: string, params: readonly unknown[]): T[] {
    try {
      return plain<T>(this.#prepare(sql).statement.all(...bind(params)));
    } catch (error) {
      throw mapSqliteError(error, sql);
    }
  }

  arrays(sql: string, params: readonly unknown[]): unknown[][] {
    try {
      const cached = this.#prepare(sql);
      let statement = cached.arrays;
      if (!statement) {
        statement = this.db.prepare(sql);
        statement.setReturnArrays(true);
        cached.arrays = statement;
      }
      return statement.all(...bind(params)) as unknown as unknown[][];
    } catch (error) {
      throw mapSqliteError(error, sql);
    }
  }

  get<T>(sql: string, params: readonly unknown[]): T | undefined {
    try {
      const row = this.#prepare(sql).statement.get(...bind(params));
      return row === undefined ? undefined : ({ ...row } as T);
    } catch (error) {
      throw mapSqliteError(error, sql);
    }
  }

  run(sql: string, params: readonly unknown[]): RunResult {
    try {
      const result = this.#prepare(sql).statement.run(...bind(params));
      return { changes: Number(result.changes), lastInsertId: result.lastInsertRowid };
    } catch (error) {
      throw mapSqliteError(error, sql);
    }
  }

  execute(sql: string, params: readonly unknown[]): ExecuteResult {
    try {
      const cached = this.#prepare(sql);
      cached.reader ??= cached.statement.columns().length > 0;
      if (cached.reader) return { rows: plain(cached.statement.all(...bind(params))) };
      const result = cached.statement.run(...bind(params));
      return { rows: [], changes: Number(result.changes), lastInsertId: result.lastInsertRowid };
    } catch (error) {
      throw mapSqliteError(error, sql);
    }
  }

  exec(sql: string): void {
    if (this.closed) throw new DatabaseError('The database is closed');
    try {
      this.db.exec(sql);
    } catch (error) {
      throw mapSqliteError(error, sql);
    }
  }
}

/** A transaction (or savepoint) on a connection; runs statements directly, since it holds the lock. */
class SqliteTransaction implements Database {
  readonly dialect = 'sqlite' as const;
  readonly inTransaction = true;
  readonly #connection: Connection;
  readonly #depth: number;
  readonly #nested = new Mutex();
  #kysely: Kysely<any> | undefined;
  finished = false;

  constructor(connection: Connection, depth: number) {
    this.#connection = connection;
    this.#depth = depth;
  }

  get kysely(): Kysely<any> {
    this.#kysely ??= createKysely('sqlite', async (sql, params) => {
      this.#check();
      return this.#connection.execute(sql, params);
    });
    return this.#kysely;
  }

  #check(): void {
    if (this.finished) throw new DatabaseError('This transaction has already finished');
  }

  async all<T = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    this.#check();
    return this.#connection.all<T>(sql, params);
  }

  async arrays(sql: string, params: readonly unknown[] = []): Promise<unknown[][]> {
    this.#check();
    return this.#connection.arrays(sql, params);
  }

  async get<T = Record<string, unknown>>(
    sql: string,
    params: readonly unknown[] = [],
  ): Promise<T | undefined> {
    this.#check();
    return this.#connection.get<T>(sql, params);
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<RunResult> {
    this.#check();
    return this.#connection.run(sql, params);
  }

  async transaction<T>(fn: (tx: Database) => Promise<T>): Promise<T> {
    this.#check();
    // Sibling savepoints started concurrently (Promise.all) must not interleave.
    return this.#nested.run(() => {
      const child = new SqliteTransaction(this.#connection, this.#depth + 1);
      const exec = async (sql: string) => this.#connection.exec(sql);
      return transactionBlock(exec, savepoint(this.#depth + 1), () => fn(child)).finally(() => {
        child.finished = true;
      });
    });
  }

  quoteIdentifier(name: string): string {
    return quoteIdentifier(name);
  }

  async close(): Promise<void> {
    throw new DatabaseError('Close the database, not a transaction');
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** The SQLite `Database`: one connection, shared. */
class SqliteDatabase implements Database {
  readonly dialect = 'sqlite' as const;
  readonly inTransaction = false;
  readonly #connection: Connection;
  #kysely: Kysely<any> | undefined;

  constructor(connection: Connection) {
    this.#connection = connection;
  }

  get kysely(): Kysely<any> {
    this.#kysely ??= createKysely('sqlite', (sql, params) =>
      this.#outside(() => this.#connection.execute(sql, params)),
    );
    return this.#kysely;
  }

  /** Runs a statement now if no transaction holds the connection, else after it ends. */
  #outside<T>(statement: () => T): Promise<T> {
    const connection = this.#connection;
    if (!connection.lock.locked) {
      try {
        return Promise.resolve(statement());
      } catch (error) {
        return Promise.reject(error);
      }
    }
    if (connection.holder !== undefined && connection.context.getStore() === connection.holder) {
      return Promise.reject(
        new DatabaseError(
          'A statement on the database was issued inside its own transaction and would wait for it forever: use the `tx` passed to transaction() instead of `db`',
        ),
      );
    }
    return connection.lock.run(async () => statement());
  }

  all<T = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.#outside(() => this.#connection.all<T>(sql, params));
  }

  arrays(sql: string, params: readonly unknown[] = []): Promise<unknown[][]> {
    return this.#outside(() => this.#connection.arrays(sql, params));
  }

  get<T = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
    return this.#outside(() => this.#connection.get<T>(sql, params));
  }

  run(sql: string, params: readonly unknown[] = []): Promise<RunResult> {
    return this.#outside(() => this.#connection.run(sql, params));
  }

  async transaction<T>(fn: (tx: Database) => Promise<T>): Promise<T> {
    const connection = this.#connection;
    if (connection.holder !== undefined && connection.context.getStore() === connection.holder) {
      throw new DatabaseError(
        'db.transaction() was called inside a transaction on the same database and would wait for it forever: use tx.transaction() for a savepoint',
      );
    }
    await connection.lock.acquire();
    const tx = new SqliteTransaction(connection, 0);
    connection.holder = tx;
    try {
      const exec = async (sql: string) => connection.exec(sql);
      // IMMEDIATE takes the write lock up front, so a transaction that reads and then writes
      // never fails half-way with SQLITE_BUSY (that would be a deadlock with another process).
      return await transactionBlock(exec, topLevel('BEGIN IMMEDIATE'), () =>
        connection.context.run(tx, () => fn(tx)),
      );
    } finally {
      tx.finished = true;
      connection.holder = undefined;
      connection.lock.release();
    }
  }

  quoteIdentifier(name: string): string {
    return quoteIdentifier(name);
  }

  async close(): Promise<void> {
    const connection = this.#connection;
    if (connection.closed) return;
    await connection.lock.run(async () => {
      if (connection.closed) return;
      connection.closed = true;
      connection.db.close();
    });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * Opens a SQLite database at `path` (`:memory:` for an in-memory one) with Volt's pragmas:
 * WAL for files, foreign keys on, `busy_timeout` (default 5000 ms), `synchronous=NORMAL`.
 */
export function openSqlite(path: string, options: ConnectOptions = {}): Database {
  const db = new DatabaseSync(path);
  try {
    if (path !== ':memory:') db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA foreign_keys = ON');
    db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeout ?? 5000))}`);
    db.exec('PRAGMA synchronous = NORMAL');
  } catch (error) {
    db.close();
    throw mapSqliteError(error, 'PRAGMA');
  }
  return new SqliteDatabase(new Connection(db, Math.max(1, options.statementCacheSize ?? 500)));
}
