/**
 * The shape of a transaction, shared by the dialects: begin, run the body, commit; on any error
 * (the body's or the commit's) roll back and rethrow. Nested transactions are savepoints.
 */

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

/** Runs `body` between `begin` and `commit`; rolls back and rethrows the first error. */
export async function transactionBlock<T>(
  exec: Exec,
  statements: TransactionStatements,
  body: () => Promise<T>,
): Promise<T> {
  await exec(statements.begin);
  let result: T;
  try {
    result = await body();
    await exec(statements.commit);
  } catch (error) {
    try {
      for (const sql of statements.rollback) await exec(sql);
    } catch {
      // The database may have ended the transaction itself (SQLite does on some errors); the
      // error worth reporting is the first one.
    }
    throw error;
  }
  return result;
}
