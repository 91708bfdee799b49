/**
 * One `node:sqlite` connection as Volt uses it: the handle, its prepared-statement cache, the
 * lock that keeps transactions from interleaving on it, and the async context that tells a
 * transaction's own statements from others'. The `Database` objects of `sqlite.ts` run on it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type { RunResult } from '../../database.ts';
import { DatabaseError } from '../../errors.ts';
import { WriteObservers } from '../../observers.ts';
import type { ExecuteResult } from '../kysely.ts';
import { Mutex } from '../mutex.ts';
import { mapSqliteError } from './errors.ts';

/** What the views of one transaction share (`tx`, `tx.withSignal()`): its end, its savepoint lock. */
export class TransactionState {
  /** True from the moment COMMIT or ROLLBACK is about to run: later statements are refused. */
  finished = false;
  /** The error of a failed write that spoiled the transaction (see `TransactionEnd.failed`). */
  failed: unknown = undefined;
  /** Sibling savepoints started concurrently (Promise.all) must not interleave. */
  readonly nested = new Mutex();
}

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
export class Connection {
  readonly db: DatabaseSync;
  readonly lock = new Mutex();
  /** The transaction holding the lock, if any. */
  holder: TransactionState | undefined;
  /** The transaction whose callback is running, to catch `db` used where `tx` was meant. */
  readonly context = new AsyncLocalStorage<TransactionState>();
  /** The total ms to wait for another process's lock (`busyTimeoutMs`), asynchronously. */
  readonly busyTimeoutMs: number;
  /** The time zone `trunc()` and `extract()` read datetimes in, unless a call names another. */
  readonly timeZone: string;
  /** The write observers of this connection (`observeWrites()`), shared by its views and transactions. */
  readonly observers = new WriteObservers();
  closed = false;
  #cache = new Map<string, CachedStatement>();
  #cacheSize: number;
  /** The most recently used SQL: the last key of `#cache`. */
  #newest: string | undefined;

  constructor(db: DatabaseSync, cacheSize: number, busyTimeoutMs: number, timeZone: string) {
    this.db = db;
    this.#cacheSize = cacheSize;
    this.busyTimeoutMs = busyTimeoutMs;
    this.timeZone = timeZone;
  }

  /** `true` when `db` (not the `tx`) is used inside the callback of the transaction holding the connection. */
  insideOwnTransaction(): boolean {
    return this.holder !== undefined && this.context.getStore() === this.holder;
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

  /**
   * A transaction control statement (`BEGIN IMMEDIATE`, `COMMIT`, `SAVEPOINT …`): prepared once
   * and kept with the others, as a transaction runs two or three of them.
   */
  exec(sql: string): void {
    if (this.closed) throw new DatabaseError('The database is closed');
    try {
      this.#prepare(sql).statement.run();
    } catch (error) {
      throw mapSqliteError(error, sql);
    }
  }
}
