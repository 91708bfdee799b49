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
  /**
   * The error of a statement that failed in this transaction (or savepoint), which spoils the
   * rest of it: PostgreSQL refuses every later statement and turns COMMIT into a rollback. Set
   * by the PostgreSQL dialect for any failed statement, and by the ORM's writes on both
   * dialects (as Django's `mark_for_rollback_on_error`), so a failed write behaves the same on
   * SQLite. Its later statements fail with {@link transactionFailed}; its end rolls back.
   */
  failed?: unknown;
}

/**
 * Marks the transaction `db` is (when it is one) as spoiled by `error`: its later statements
 * fail, its end rolls back. The ORM's writes call it when they fail.
 */
export const markFailed: unique symbol = Symbol('volt.transaction.markFailed');

/**
 * Records `error` as what spoiled the transaction `end`: the first failure, or the ORM's reading
 * of it (a `ValidationError` whose cause is the failure already recorded).
 */
export function markState(end: TransactionEnd, error: unknown): void {
  if (end.failed === undefined || (error instanceof Error && error.cause === end.failed)) end.failed = error;
}

/** A database that may be a transaction which can be marked as spoiled ({@link markFailed}). */
interface Markable {
  [markFailed]?: (error: unknown) => void;
}

/**
 * Runs `write` on `db`; when it fails inside a transaction, marks that transaction as spoiled
 * (no savepoint: the caller who wants to catch the error and go on opens one,
 * `tx.transaction(…)`, as Django's `atomic()`), then rethrows.
 */
export async function spoilsOnError<T>(db: object, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    (db as Markable)[markFailed]?.(error);
    throw error;
  }
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
    // The callback caught a failed statement's error and went on: its work cannot be kept.
    if (end.failed !== undefined) throw transactionRolledBack(end.failed);
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
 * A statement in a transaction (or savepoint) that an earlier failed statement spoiled.
 */
export function transactionFailed(cause: unknown): DatabaseError {
  return new DatabaseError(
    'An earlier statement of this transaction failed, so the rest of it cannot run (PostgreSQL refuses it; Volt does the same on SQLite after a failed write): let the error end the transaction, or run the statement whose failure you want to survive in a savepoint, tx.transaction(async (sp) => …)',
    { cause },
  );
}

/**
 * The end of a transaction (or savepoint) whose callback returned although a statement in it
 * failed: it rolls back instead of committing, and says so.
 */
export function transactionRolledBack(cause: unknown): DatabaseError {
  return new DatabaseError(
    'The transaction was rolled back, not committed: a statement in it failed and its error was caught inside the callback. Run a statement whose failure you want to survive in a savepoint, tx.transaction(async (sp) => …)',
    { cause },
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
