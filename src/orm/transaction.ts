/**
 * The shape of a transaction, shared by the dialects: begin, run the body, commit; on any error
 * (the body's or the commit's) roll back and rethrow. Nested transactions are savepoints.
 */
import { DatabaseError } from './errors.ts';

/** Runs control statements (BEGIN, COMMIT, SAVEPOINT…) on the transaction's connection. */
export type Exec = (sql: string) => Promise<unknown>;

/** The statements that open, close and undo one level of transaction. */
export interface TransactionStatements {
  begin: string;
  commit: string;
  rollback: string[];
}

/** The statements of a top-level transaction. */
export function topLevel(begin: string): TransactionStatements {
  return { begin, commit: 'COMMIT', rollback: ['ROLLBACK'] };
}

/** The statements of a nested transaction at `depth` (1 for the first savepoint). */
export function savepoint(depth: number): TransactionStatements {
  const name = `volt_sp_${depth}`;
  return {
    begin: `SAVEPOINT ${name}`,
    commit: `RELEASE SAVEPOINT ${name}`,
    rollback: [`ROLLBACK TO SAVEPOINT ${name}`, `RELEASE SAVEPOINT ${name}`],
  };
}

/**
 * What the statements of one transaction (or savepoint) check before they run. `finished` turns
 * true as soon as the transaction starts to end, *before* COMMIT or ROLLBACK is sent: a statement
 * issued after that (a chain the callback did not await) would run after it, outside the
 * transaction — in autocommit, kept even when the transaction rolled back.
 */
export interface TransactionEnd {
  finished: boolean;
}

/** Runs `body` between `begin` and `commit`; rolls back and rethrows the first error. */
export async function transactionBlock<T>(
  exec: Exec,
  statements: TransactionStatements,
  end: TransactionEnd,
  body: () => Promise<T>,
): Promise<T> {
  await exec(statements.begin);
  return begunBlock(exec, statements, end, body);
}

/**
 * The part of {@link transactionBlock} after `begin`, for a dialect that began the transaction
 * itself (SQLite waits out another process's lock before `BEGIN IMMEDIATE` succeeds).
 */
export async function begunBlock<T>(
  exec: Exec,
  statements: TransactionStatements,
  end: TransactionEnd,
  body: () => Promise<T>,
): Promise<T> {
  let result: T;
  try {
    result = await body();
    end.finished = true;
    await exec(statements.commit);
  } catch (error) {
    end.finished = true;
    try {
      for (const sql of statements.rollback) await exec(sql);
    } catch {
      // The database may have ended the transaction itself (SQLite does on some errors, a
      // dropped PostgreSQL connection always); the error worth reporting is the first one.
    }
    throw error;
  }
  return result;
}

/**
 * A statement on a transaction that has ended or is ending (its COMMIT or ROLLBACK was sent):
 * typically a chain the callback started but did not await.
 */
export function transactionFinished(): DatabaseError {
  return new DatabaseError(
    'This transaction has already finished (its COMMIT or ROLLBACK was under way): await every statement inside the transaction callback',
  );
}

/**
 * A statement on the database (not the `tx`) issued inside its own transaction's callback: on
 * SQLite it would wait for the transaction forever, on PostgreSQL it would run on another pooled
 * connection, outside the transaction (kept when it rolls back, and a pool exhausted by such
 * transactions would wait for itself).
 */
export function dbInsideTransaction(): DatabaseError {
  return new DatabaseError(
    'A statement on the database was issued inside its own transaction: use the `tx` passed to transaction() instead of `db` (on SQLite it would wait for the transaction forever; on PostgreSQL it would run outside the transaction, on another connection)',
  );
}

/** `db.transaction()` called inside a transaction of the same database. */
export function transactionInsideTransaction(): DatabaseError {
  return new DatabaseError(
    'db.transaction() was called inside a transaction on the same database: use tx.transaction() for a savepoint (on SQLite it would wait for the outer transaction forever; on PostgreSQL it would take a second connection and commit on its own)',
  );
}
