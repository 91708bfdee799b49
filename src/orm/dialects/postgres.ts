/**
 * PostgreSQL through a `pg` Pool.
 *
 * - An idle client's error is emitted on the pool and, unhandled, kills the process: the pool
 *   (and every client a transaction has checked out) gets an error listener that logs it.
 * - A transaction checks out one client for its whole life (`BEGIN` … `COMMIT`/`ROLLBACK`) and
 *   always releases it; a client whose control statement failed is destroyed, not reused.
 * - Types: `int8` (bigint, also what `count(*)` returns) → `number` when it is a safe integer,
 *   else `bigint`; `numeric` stays a string so decimals stay exact; `timestamptz` → `Date`.
 *   These parsers belong to Volt's pools only (pg's global type registry is left alone).
 */

import type { Kysely } from 'kysely';
import pg from 'pg';
import type { ConnectOptions, Database, DatabaseLogger, RunResult } from '../database.ts';
import { DatabaseError } from '../errors.ts';
import { savepoint, topLevel, transactionBlock } from '../transaction.ts';
import { createKysely, type ExecuteResult } from './kysely.ts';
import { Mutex } from './mutex.ts';
import { mapPostgresError } from './postgres-errors.ts';
import { quoteIdentifier } from './quote.ts';

const INT8 = 20;

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

type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

async function execute(target: Queryable, sql: string, params: readonly unknown[]): Promise<pg.QueryResult> {
  try {
    return await target.query(sql, params as unknown[]);
  } catch (error) {
    throw mapPostgresError(error, sql);
  }
}

function executeResult(result: pg.QueryResult): ExecuteResult {
  const out: ExecuteResult = { rows: result.rows };
  if (WRITE_COMMANDS.has(result.command) && result.rowCount !== null) out.changes = result.rowCount;
  return out;
}

/** Statements on a pool or on one checked-out client. */
abstract class PostgresQueries implements Database {
  readonly dialect = 'postgres' as const;
  abstract readonly inTransaction: boolean;
  #kysely: Kysely<any> | undefined;

  protected abstract target(): Queryable;
  abstract transaction<T>(fn: (tx: Database) => Promise<T>): Promise<T>;
  abstract close(): Promise<void>;

  get kysely(): Kysely<any> {
    this.#kysely ??= createKysely('postgres', async (sql, params) =>
      executeResult(await execute(this.target(), sql, params)),
    );
    return this.#kysely;
  }

  async all<T = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await execute(this.target(), sql, params)).rows as T[];
  }

  async arrays(sql: string, params: readonly unknown[] = []): Promise<unknown[][]> {
    try {
      const result = await this.target().query({ text: sql, values: params as unknown[], rowMode: 'array' });
      return result.rows as unknown[][];
    } catch (error) {
      throw mapPostgresError(error, sql);
    }
  }

  async get<T = Record<string, unknown>>(
    sql: string,
    params: readonly unknown[] = [],
  ): Promise<T | undefined> {
    return (await execute(this.target(), sql, params)).rows[0] as T | undefined;
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<RunResult> {
    return { changes: (await execute(this.target(), sql, params)).rowCount ?? 0 };
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
  readonly #client: pg.PoolClient;
  readonly #depth: number;
  readonly #nested = new Mutex();
  finished = false;

  constructor(client: pg.PoolClient, depth: number) {
    super();
    this.#client = client;
    this.#depth = depth;
  }

  protected target(): Queryable {
    if (this.finished) throw new DatabaseError('This transaction has already finished');
    return this.#client;
  }

  transaction<T>(fn: (tx: Database) => Promise<T>): Promise<T> {
    const client = this.target() as pg.PoolClient;
    // One client runs one statement at a time; sibling savepoints must not interleave.
    return this.#nested.run(() => {
      const child = new PostgresTransaction(client, this.#depth + 1);
      const exec = (sql: string) => execute(client, sql, []);
      return transactionBlock(exec, savepoint(this.#depth + 1), () => fn(child)).finally(() => {
        child.finished = true;
      });
    });
  }

  async close(): Promise<void> {
    throw new DatabaseError('Close the database, not a transaction');
  }
}

/** The PostgreSQL `Database`: a pool. */
class PostgresDatabase extends PostgresQueries {
  readonly inTransaction = false;
  readonly pool: pg.Pool;
  readonly #logger: DatabaseLogger;
  #closed: Promise<void> | undefined;

  constructor(pool: pg.Pool, logger: DatabaseLogger) {
    super();
    this.pool = pool;
    this.#logger = logger;
    pool.on('error', this.#onIdleError);
  }

  #onIdleError = (error: Error): void => {
    this.#logger.error({ err: error }, 'PostgreSQL: an idle client failed (it was removed from the pool)');
  };

  protected target(): Queryable {
    if (this.#closed) throw new DatabaseError('The database is closed');
    return this.pool;
  }

  async transaction<T>(fn: (tx: Database) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await (this.target() as pg.Pool).connect();
    } catch (error) {
      throw mapPostgresError(error);
    }
    // A checked-out client has no pool listener: without ours, a dropped connection between
    // two statements would be an unhandled 'error' event.
    client.on('error', this.#onIdleError);
    const tx = new PostgresTransaction(client, 0);
    let broken: Error | undefined;
    const exec = async (sql: string) => {
      try {
        return await execute(client, sql, []);
      } catch (error) {
        broken = error as Error;
        throw error;
      }
    };
    try {
      return await transactionBlock(exec, topLevel('BEGIN'), () => fn(tx));
    } finally {
      tx.finished = true;
      client.off('error', this.#onIdleError);
      // A client whose BEGIN/COMMIT/ROLLBACK failed may be mid-transaction: destroy it.
      client.release(broken);
    }
  }

  close(): Promise<void> {
    this.#closed ??= this.pool.end();
    return this.#closed;
  }
}

/** Opens a pool for a `postgres://` URL. */
export function openPostgres(url: string, options: ConnectOptions = {}): Database {
  const config: pg.PoolConfig = { connectionString: url, max: options.max ?? 10, types };
  if (options.connectionTimeout !== undefined) config.connectionTimeoutMillis = options.connectionTimeout;
  if (options.searchPath !== undefined) {
    if (!/^[A-Za-z_][A-Za-z0-9_$]*(\s*,\s*[A-Za-z_][A-Za-z0-9_$]*)*$/.test(options.searchPath)) {
      throw new Error(
        `searchPath must be a comma-separated list of plain schema names, got ${options.searchPath}`,
      );
    }
    config.options = `-c search_path=${options.searchPath.replaceAll(' ', '')}`;
  }
  const logger = options.logger ?? { error: (object, message) => console.error(message, object) };
  return new PostgresDatabase(new pg.Pool(config), logger);
}
