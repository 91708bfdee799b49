/**
 * SQLite through the built-in `node:sqlite`.
 *
 * node:sqlite is synchronous and one connection is shared by every request of the process, so
 * two requests' transactions could interleave on it and one's ROLLBACK would undo the other's
 * writes. Hence: one lock per connection. A transaction holds it from `BEGIN IMMEDIATE` to
 * `COMMIT`/`ROLLBACK`; statements outside a transaction wait while someone else holds it (and run
 * at once when nobody does).
 *
 * Another process holding the write lock must not freeze the server: SQLite's own busy handler
 * sleeps inside the synchronous call, blocking the event loop. So the connection's
 * `busy_timeout` is only a few ms, and a statement that still finds the database locked is
 * retried asynchronously with backoff (the lock released meanwhile), until `busyTimeoutMs` has
 * passed; then it fails with `DatabaseBusyError`. Retried: `BEGIN IMMEDIATE`, `COMMIT` (SQLite
 * keeps the transaction open when it is busy) and statements outside a transaction (a busy
 * statement changed nothing). Not retried: statements inside a transaction, where a busy error
 * can mean the transaction must roll back (with `BEGIN IMMEDIATE` holding the write lock, WAL
 * databases do not see it).
 */
import { DatabaseSync } from 'node:sqlite';
import type { Kysely } from 'kysely';
import type { ConnectOptions, Database, RunResult } from '../../database.ts';
import { DatabaseBusyError, DatabaseError } from '../../errors.ts';
import type { WriteObservers } from '../../observers.ts';
import { connectionTimeZone, viewTimeZone } from '../../time-zone.ts';
import {
  begunBlock,
  dbInsideTransaction,
  markFailed,
  markState,
  savepoint,
  topLevel,
  transactionBlock,
  transactionFailed,
  transactionFinished,
  transactionInsideTransaction,
} from '../../transaction.ts';
import { createKysely } from '../kysely.ts';
import { type DialectOps, zonedOps } from '../ops.ts';
import { quoteIdentifier } from '../quote.ts';
import { abortedError, bothSignals, sleep } from '../signals.ts';
import { Connection, TransactionState } from './connection.ts';
import { registerDateFunctions } from './date-functions.ts';
import { registerDecimalFunctions } from './decimal-functions.ts';
import { mapSqliteError } from './errors.ts';
import { sqliteOps } from './ops.ts';

/**
 * The synchronous part of a lock wait, in ms: short enough not to stall other requests, long
 * enough to ride out a commit of another process without an async round trip.
 */
const SYNC_BUSY_TIMEOUT = 2;
/** The longest pause between two attempts of a busy statement. */
const MAX_BACKOFF = 25;

/** The error after `busyTimeoutMs` ms of attempts; `last` is the last attempt's. */
function stillBusy(last: DatabaseBusyError, busyTimeoutMs: number): DatabaseBusyError {
  return new DatabaseBusyError(
    `The database stayed locked by another connection for ${busyTimeoutMs} ms (busyTimeoutMs)`,
    // The driver's own error, not the attempt's wrapper: the log shows each message once.
    { cause: last.cause, driverCode: last.driverCode, ...(last.sql === undefined ? {} : { sql: last.sql }) },
  );
}

/**
 * Calls `attempt` until it does not fail with `DatabaseBusyError`, sleeping (1, 2, 4… up to
 * 25 ms) between attempts, for at most `busyTimeoutMs` ms in all. `first` is the error that
 * started the wait.
 */
async function waitOutBusy<T>(
  connection: Connection,
  first: DatabaseBusyError,
  signal: AbortSignal | undefined,
  attempt: () => Promise<T>,
): Promise<T> {
  const budget = connection.busyTimeoutMs;
  const start = performance.now();
  let last = first;
  for (let delay = 1; ; delay = Math.min(delay * 2, MAX_BACKOFF)) {
    const left = budget - (performance.now() - start);
    if (left <= 0) throw stillBusy(last, budget);
    await sleep(Math.min(delay, left), signal);
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof DatabaseBusyError)) throw error;
      last = error;
    }
  }
}

/** A transaction (or savepoint) on a connection; runs statements directly, since it holds the lock. */
class SqliteTransaction implements Database {
  readonly dialect = 'sqlite' as const;
  readonly ops: DialectOps;
  readonly inTransaction = true;
  readonly timeZone: string;
  readonly observers: WriteObservers;
  readonly #connection: Connection;
  readonly #depth: number;
  readonly #state: TransactionState;
  readonly #signal: AbortSignal | undefined;
  #kysely: Kysely<any> | undefined;

  constructor(
    connection: Connection,
    depth: number,
    state: TransactionState,
    signal: AbortSignal | undefined,
    timeZone: string,
  ) {
    this.#connection = connection;
    this.timeZone = timeZone;
    this.observers = connection.observers;
    this.ops = zonedOps(sqliteOps, timeZone);
    this.#depth = depth;
    this.#state = state;
    this.#signal = signal;
  }

  get kysely(): Kysely<any> {
    this.#kysely ??= createKysely(sqliteOps, async (sql, params) => {
      this.#check();
      return this.#connection.execute(sql, params);
    });
    return this.#kysely;
  }

  #check(): void {
    if (this.#state.finished) throw transactionFinished();
    if (this.#state.failed !== undefined) throw transactionFailed(this.#state.failed);
    // A synchronous statement cannot be interrupted once started: after an abort, none starts.
    if (this.#signal?.aborted) throw abortedError(this.#signal);
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
    return this.#state.nested.run(() => {
      this.#check();
      const depth = this.#depth + 1;
      const state = new TransactionState();
      const child = new SqliteTransaction(this.#connection, depth, state, this.#signal, this.timeZone);
      const exec = async (sql: string) => this.#connection.exec(sql);
      return transactionBlock(exec, savepoint(depth), state, () => fn(child));
    }, this.#signal);
  }

  [markFailed](error: unknown): void {
    markState(this.#state, error);
  }

  withSignal(signal: AbortSignal): Database {
    return new SqliteTransaction(
      this.#connection,
      this.#depth,
      this.#state,
      bothSignals(this.#signal, signal),
      this.timeZone,
    );
  }

  withTimeZone(timeZone: string): Database {
    return new SqliteTransaction(
      this.#connection,
      this.#depth,
      this.#state,
      this.#signal,
      viewTimeZone(timeZone),
    );
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

/** The SQLite `Database`: one connection, shared (and its `withSignal()` views). */
class SqliteDatabase implements Database {
  readonly dialect = 'sqlite' as const;
  readonly ops: DialectOps;
  readonly inTransaction = false;
  readonly timeZone: string;
  readonly observers: WriteObservers;
  readonly #connection: Connection;
  readonly #signal: AbortSignal | undefined;
  #kysely: Kysely<any> | undefined;

  constructor(connection: Connection, signal?: AbortSignal, timeZone: string = connection.timeZone) {
    this.#connection = connection;
    this.timeZone = timeZone;
    this.observers = connection.observers;
    this.ops = zonedOps(sqliteOps, timeZone);
    this.#signal = signal;
  }

  get kysely(): Kysely<any> {
    this.#kysely ??= createKysely(sqliteOps, (sql, params) =>
      this.#outside(() => this.#connection.execute(sql, params)),
    );
    return this.#kysely;
  }

  /**
   * Runs a statement now if no transaction holds the connection, else after it ends; waits out
   * another process's lock without blocking the event loop.
   */
  #outside<T>(statement: () => T): Promise<T> {
    const signal = this.#signal;
    if (signal?.aborted) return Promise.reject(abortedError(signal));
    return this.#attempt(statement, true);
  }

  /**
   * One attempt of a statement outside a transaction: at once (no promise chained on the common
   * path), or when the lock is free. The `first` attempt that finds the database busy starts
   * the wait; the wait's own attempts report back to it.
   */
  #attempt<T>(statement: () => T, first: boolean): Promise<T> {
    const connection = this.#connection;
    if (!connection.lock.locked) {
      try {
        return Promise.resolve(statement());
      } catch (error) {
        return first ? this.#afterBusy(error, statement) : Promise.reject(error);
      }
    }
    if (connection.insideOwnTransaction()) return Promise.reject(dbInsideTransaction());
    const queued = connection.lock.run(async () => statement(), this.#signal);
    return first ? queued.catch((error: unknown) => this.#afterBusy(error, statement)) : queued;
  }

  /** Waits out another process's lock and tries again, when `error` says the database is busy. */
  #afterBusy<T>(error: unknown, statement: () => T): Promise<T> {
    if (!(error instanceof DatabaseBusyError)) return Promise.reject(error);
    return waitOutBusy(this.#connection, error, this.#signal, () => this.#attempt(statement, false));
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
    const signal = this.#signal;
    if (connection.insideOwnTransaction()) throw transactionInsideTransaction();
    await this.#begin();
    const state = new TransactionState();
    const tx = new SqliteTransaction(connection, 0, state, signal, this.timeZone);
    connection.holder = state;
    try {
      const exec = async (sql: string) => {
        if (sql !== 'COMMIT') return connection.exec(sql);
        try {
          return connection.exec(sql);
        } catch (error) {
          // A busy COMMIT leaves the transaction open (rollback-journal files wait for readers):
          // try again; the lock stays held, so nothing else can slip into the transaction.
          if (!(error instanceof DatabaseBusyError)) throw error;
          return waitOutBusy(connection, error, signal, async () => connection.exec(sql));
        }
      };
      return await begunBlock(exec, topLevel('BEGIN IMMEDIATE'), state, () =>
        connection.context.run(state, () => fn(tx)),
      );
    } finally {
      state.finished = true;
      connection.holder = undefined;
      connection.lock.release();
    }
  }

  /**
   * Takes the connection's lock and `BEGIN IMMEDIATE` (the write lock, up front, so a transaction
   * that reads and then writes never fails half-way with SQLITE_BUSY, a deadlock with another
   * process). While another process holds the write lock, the connection's lock is released
   * between attempts so reads go on.
   */
  async #begin(): Promise<void> {
    const connection = this.#connection;
    const signal = this.#signal;
    const attempt = async () => {
      await connection.lock.acquire(signal);
      try {
        connection.exec('BEGIN IMMEDIATE');
      } catch (error) {
        connection.lock.release();
        throw error;
      }
    };
    try {
      await attempt();
    } catch (error) {
      if (!(error instanceof DatabaseBusyError)) throw error;
      await waitOutBusy(connection, error, signal, attempt);
    }
  }

  withSignal(signal: AbortSignal): Database {
    return new SqliteDatabase(this.#connection, bothSignals(this.#signal, signal), this.timeZone);
  }

  withTimeZone(timeZone: string): Database {
    return new SqliteDatabase(this.#connection, this.#signal, viewTimeZone(timeZone));
  }

  quoteIdentifier(name: string): string {
    return quoteIdentifier(name);
  }

  async close(): Promise<void> {
    if (this.#signal !== undefined)
      throw new DatabaseError('Close the database, not a view made by withSignal()');
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
 * Functions the ORM's SQL calls on every connection. `volt_upper`: text in capitals by
 * JavaScript's `toUpperCase()` (Unicode's rules: `'σίσυφος'` → `'ΣΊΣΥΦΟΣ'`), for `iexact` and
 * `icontains` with non-ASCII text, as SQLite's `upper()` folds ASCII only. Deterministic, and
 * callable from statements only (not from a schema, a view or a trigger).
 */
function registerFunctions(db: DatabaseSync): void {
  db.function('volt_upper', { deterministic: true, directOnly: true }, (value) =>
    typeof value === 'string' ? value.toUpperCase() : value,
  );
}

/**
 * Opens a SQLite database at `path` (`:memory:` for an in-memory one) with Volt's pragmas:
 * WAL for files, foreign keys on, `synchronous=NORMAL`, Volt's exact decimal aggregates
 * (`decimal-functions.ts`), its date functions in a time zone (`date-functions.ts`) and
 * `volt_upper`, and lock waits of up to `busyTimeoutMs`
 * (default 5000 ms) that do not block the event loop.
 */
export function openSqlite(path: string, options: ConnectOptions = {}): Database {
  const busyTimeoutMs = Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000));
  const timeZone = connectionTimeZone(options.timeZone);
  const db = new DatabaseSync(path);
  try {
    // While opening, nothing else runs yet: switching to WAL may wait the whole timeout.
    db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
    if (path !== ':memory:') db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA foreign_keys = ON');
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec(`PRAGMA busy_timeout = ${Math.min(busyTimeoutMs, SYNC_BUSY_TIMEOUT)}`);
    registerDecimalFunctions(db);
    registerDateFunctions(db);
    registerFunctions(db);
  } catch (error) {
    db.close();
    throw mapSqliteError(error, 'PRAGMA');
  }
  const connection = new Connection(
    db,
    Math.max(1, options.statementCacheSize ?? 500),
    busyTimeoutMs,
    timeZone,
  );
  return new SqliteDatabase(connection);
}
