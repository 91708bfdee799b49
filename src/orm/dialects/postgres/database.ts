/**
 * PostgreSQL through a `pg` Pool.
 *
 * - A statement checks a client out of the pool, runs and gives it back; a client whose
 *   connection died, or that a cancel request may still reach, is closed instead of reused.
 * - Waiting for a client is bounded (`connectionTimeoutMs`, 5 s by default): past it the pool is
 *   busy (`DatabaseBusyError`); a server that is away is `DatabaseUnavailableError`.
 * - A transaction checks out one client for its whole life (`BEGIN` … `COMMIT`/`ROLLBACK`) and
 *   always releases it; a client whose control statement failed is destroyed, not reused. Its
 *   callback runs in an async context that knows the transaction, so a statement on the pool
 *   from inside it (`db` where `tx` was meant) fails at once instead of running outside the
 *   transaction on another connection.
 * - `withSignal(signal)` views cancel their running statement when the signal aborts, with the
 *   protocol's CancelRequest (pg has no API for it). The request may arrive after the statement
 *   ended on its own; inside a transaction it would stop the next, unrelated statement (or the
 *   COMMIT), so such a transaction stops there: its later statements and its COMMIT throw
 *   `DatabaseAbortedError`, and its client is closed (the server rolls it back).
 * - An idle client's error is emitted on the pool and, unhandled, kills the process: the pool
 *   (and every client a transaction has checked out) gets an error listener that logs it.
 * - Types: `int8` (bigint, also what `count(*)` returns) → `number` when it is a safe integer,
 *   else `bigint`; `numeric` stays a string so decimals stay exact; `timestamptz` → `Date`.
 *   These parsers belong to Volt's pools only (pg's global type registry is left alone).
 */
import type { Kysely } from 'kysely';
import pg from 'pg';
import type { ConnectOptions, Database, RunResult } from '../../database.ts';
import { DatabaseError, DatabaseUnavailableError } from '../../errors.ts';
import type { WriteObservers } from '../../observers.ts';
import { connectionTimeZone, viewTimeZone } from '../../time-zone.ts';
import {
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
import { createKysely, type ExecuteResult } from '../kysely.ts';
import { type DialectOps, zonedOps } from '../ops.ts';
import { quoteIdentifier } from '../quote.ts';
import { abortedError, bothSignals } from '../signals.ts';
import { stderrLogger } from '../stderr-logger.ts';
import { postgresOps } from './ops.ts';
import {
  acquire,
  CONTROL,
  cancelInFlight,
  cancelMayArrive,
  PoolState,
  query,
  release,
  TransactionState,
} from './pool.ts';

const INT8 = 20;

/** The pool waits this long for a client unless `connectionTimeoutMs` says otherwise. */
const DEFAULT_CONNECTION_TIMEOUT = 5000;

/** Named prepared statements kept per connection unless `statementCacheSize` says otherwise. */
const DEFAULT_STATEMENT_CACHE = 100;

function statementCacheSize(size: number | undefined): number {
  if (size === undefined) return DEFAULT_STATEMENT_CACHE;
  if (!Number.isInteger(size) || size < 0)
    throw new DatabaseError(
      `statementCacheSize must be an integer ≥ 0 (0 turns prepared statements off), got ${size}`,
    );
  return size;
}

/** `int8` text → number when exact, else bigint. */
export function parseInt8(value: string): number | bigint {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : BigInt(value);
}

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): any {
    if (oid === INT8 && format !== 'binary') return parseInt8;
    return format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid, 'text');
  },
};

const WRITE_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

function executeResult(result: pg.QueryResult): ExecuteResult {
  const out: ExecuteResult = { rows: result.rows };
  if (WRITE_COMMANDS.has(result.command) && result.rowCount !== null) out.changes = result.rowCount;
  return out;
}

/**
 * Runs a control statement of a transaction (BEGIN, COMMIT, SAVEPOINT…). None runs on a client
 * a cancel request may still reach: its COMMIT could be the statement the request stops, so the
 * transaction is stopped instead, and rolls back when its client is closed.
 */
function control(client: pg.PoolClient, sql: string): Promise<pg.QueryResult> {
  if (cancelMayArrive(client)) return Promise.reject(cancelInFlight(client));
  return query(client, sql, [], false, undefined, CONTROL);
}

function rowsOf(result: pg.QueryResult): unknown[] {
  return result.rows;
}

function firstRow(result: pg.QueryResult): unknown {
  return result.rows[0];
}

/** Statements on a pool or on one checked-out client. */
abstract class PostgresQueries implements Database {
  readonly dialect = 'postgres' as const;
  readonly ops: DialectOps;
  abstract readonly inTransaction: boolean;
  readonly timeZone: string;
  readonly observers: WriteObservers;
  #kysely: Kysely<any> | undefined;

  constructor(timeZone: string, observers: WriteObservers) {
    this.timeZone = timeZone;
    this.observers = observers;
    this.ops = zonedOps(postgresOps, timeZone);
  }

  protected abstract execute(
    sql: string,
    params: readonly unknown[],
    arrays: boolean,
  ): Promise<pg.QueryResult>;
  abstract transaction<T>(fn: (tx: Database) => Promise<T>): Promise<T>;
  abstract withSignal(signal: AbortSignal): Database;
  abstract withTimeZone(timeZone: string): Database;
  abstract close(): Promise<void>;

  get kysely(): Kysely<any> {
    this.#kysely ??= createKysely(postgresOps, async (sql, params) =>
      executeResult(await this.execute(sql, params, false)),
    );
    return this.#kysely;
  }

  all<T = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.execute(sql, params, false).then(rowsOf) as Promise<T[]>;
  }

  arrays(sql: string, params: readonly unknown[] = []): Promise<unknown[][]> {
    return this.execute(sql, params, true).then(rowsOf) as Promise<unknown[][]>;
  }

  get<T = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
    return this.execute(sql, params, false).then(firstRow) as Promise<T | undefined>;
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<RunResult> {
    return { changes: (await this.execute(sql, params, false)).rowCount ?? 0 };
  }

  quoteIdentifier(name: string): string {
    return quoteIdentifier(name);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** A transaction (or savepoint) on one checked-out client. */
class PostgresTransaction extends PostgresQueries {
  readonly inTransaction = true;
  readonly #state: TransactionState;
  readonly #depth: number;
  readonly #signal: AbortSignal | undefined;

  constructor(
    state: TransactionState,
    depth: number,
    signal: AbortSignal | undefined,
    timeZone: string,
    observers: WriteObservers,
  ) {
    super(timeZone, observers);
    this.#state = state;
    this.#depth = depth;
    this.#signal = signal;
  }

  #check(): void {
    const state = this.#state;
    if (state.finished) throw transactionFinished();
    if (state.failed !== undefined) throw transactionFailed(state.failed);
    if (cancelMayArrive(state.client)) throw cancelInFlight(state.client);
    if (this.#signal?.aborted) throw abortedError(this.#signal);
  }

  protected async execute(sql: string, params: readonly unknown[], arrays: boolean): Promise<pg.QueryResult> {
    this.#check();
    const state = this.#state;
    try {
      return await query(state.client, sql, params, arrays, this.#signal, state.statements);
    } catch (error) {
      // PostgreSQL aborts the transaction on any failed statement: say so at once, not with its
      // "current transaction is aborted" on the next one.
      state.failed ??= error;
      throw error;
    }
  }

  [markFailed](error: unknown): void {
    markState(this.#state, error);
  }

  transaction<T>(fn: (tx: Database) => Promise<T>): Promise<T> {
    this.#check();
    const client = this.#state.client;
    return this.#state.nested.run(() => {
      this.#check();
      const depth = this.#depth + 1;
      const state = new TransactionState(client, this.#state.statements);
      const child = new PostgresTransaction(state, depth, this.#signal, this.timeZone, this.observers);
      return transactionBlock(
        (sql) => control(client, sql),
        savepoint(depth),
        state,
        () => fn(child),
      );
    }, this.#signal);
  }

  withSignal(signal: AbortSignal): Database {
    return new PostgresTransaction(
      this.#state,
      this.#depth,
      bothSignals(this.#signal, signal),
      this.timeZone,
      this.observers,
    );
  }

  withTimeZone(timeZone: string): Database {
    return new PostgresTransaction(
      this.#state,
      this.#depth,
      this.#signal,
      viewTimeZone(timeZone),
      this.observers,
    );
  }

  async close(): Promise<void> {
    throw new DatabaseError('Close the database, not a transaction');
  }
}

/** The PostgreSQL `Database`: a pool (and its `withSignal()` views). */
class PostgresDatabase extends PostgresQueries {
  readonly inTransaction = false;
  readonly #state: PoolState;
  readonly #signal: AbortSignal | undefined;

  constructor(state: PoolState, timeZone: string, signal?: AbortSignal) {
    super(timeZone, state.observers);
    this.#state = state;
    this.#signal = signal;
  }

  /** The `pg` pool (for tests and tools that need it). */
  get pool(): pg.Pool {
    return this.#state.pool;
  }

  /** `true` when called from inside the callback of one of this pool's transactions. */
  #insideTransaction(): boolean {
    const current = this.#state.context.getStore();
    return current !== undefined && !current.finished;
  }

  protected async execute(sql: string, params: readonly unknown[], arrays: boolean): Promise<pg.QueryResult> {
    if (this.#insideTransaction()) throw dbInsideTransaction();
    const signal = this.#signal;
    if (signal?.aborted) throw abortedError(signal);
    const client = await acquire(this.#state, signal);
    let dead = false;
    try {
      return await query(client, sql, params, arrays, signal, this.#state.statements);
    } catch (error) {
      dead = error instanceof DatabaseUnavailableError;
      throw error;
    } finally {
      release(client, dead);
    }
  }

  async transaction<T>(fn: (tx: Database) => Promise<T>): Promise<T> {
    if (this.#insideTransaction()) throw transactionInsideTransaction();
    const pool = this.#state;
    const signal = this.#signal;
    if (signal?.aborted) throw abortedError(signal);
    const client = await acquire(pool, signal);
    // A checked-out client has no pool listener: a dropped connection between two statements
    // is logged here (the next statement fails too).
    client.on('error', pool.onTransactionError);
    const state = new TransactionState(client, pool.transactionStatements);
    const tx = new PostgresTransaction(state, 0, signal, this.timeZone, this.observers);
    let broken: unknown;
    const exec = async (sql: string) => {
      try {
        return await control(client, sql);
      } catch (error) {
        broken = error;
        throw error;
      }
    };
    try {
      return await transactionBlock(exec, topLevel('BEGIN'), state, () =>
        pool.context.run(state, () => fn(tx)),
      );
    } finally {
      state.finished = true;
      client.off('error', pool.onTransactionError);
      // A client whose BEGIN/COMMIT/ROLLBACK failed (or was refused) may be mid-transaction:
      // destroy it; the server rolls back what it had open.
      release(client, broken !== undefined);
    }
  }

  withSignal(signal: AbortSignal): Database {
    return new PostgresDatabase(this.#state, this.timeZone, bothSignals(this.#signal, signal));
  }

  withTimeZone(timeZone: string): Database {
    return new PostgresDatabase(this.#state, viewTimeZone(timeZone), this.#signal);
  }

  close(): Promise<void> {
    if (this.#signal !== undefined)
      return Promise.reject(new DatabaseError('Close the database, not a view made by withSignal()'));
    const state = this.#state;
    state.closed ??= state.pool.end();
    return state.closed;
  }
}

/** Opens a pool for a `postgres://` URL. */
export function openPostgres(url: string, options: ConnectOptions = {}): Database {
  const timeZone = connectionTimeZone(options.timeZone);
  const connectionTimeoutMs = Math.max(
    0,
    Math.trunc(options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT),
  );
  const config: pg.PoolConfig = {
    connectionString: url,
    max: options.max ?? 10,
    types,
    connectionTimeoutMillis: connectionTimeoutMs,
  };
  if (options.searchPath !== undefined) {
    if (!/^[A-Za-z_][A-Za-z0-9_$]*(\s*,\s*[A-Za-z_][A-Za-z0-9_$]*)*$/.test(options.searchPath)) {
      throw new Error(
        `searchPath must be a comma-separated list of plain schema names, got ${options.searchPath}`,
      );
    }
    config.options = `-c search_path=${options.searchPath.replaceAll(' ', '')}`;
  }
  try {
    // pg reads the URL only when the first connection is made: read it now, so a bad one fails
    // here. The message never quotes the URL (it holds the password).
    new pg.Client(config);
  } catch {
    throw new DatabaseError(
      'The PostgreSQL URL cannot be read: write it as postgres://user:password@host:5432/name, with special characters of the user and password percent-encoded',
    );
  }
  return new PostgresDatabase(
    new PoolState(
      new pg.Pool(config),
      connectionTimeoutMs,
      options.logger ?? stderrLogger,
      statementCacheSize(options.statementCacheSize),
    ),
    timeZone,
  );
}
