/**
 * A Kysely instance whose queries run through a Volt `Database` (connection or transaction), so
 * they share its lock, statement cache and error mapping. Kysely's own compiler, adapter and
 * introspector for the dialect (from its `DialectOps`) are reused; only the driver is Volt's.
 */
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  Kysely,
  type QueryResult,
} from 'kysely';
import type { DialectOps } from './ops.ts';

/** What a dialect reports for one statement: its rows, and for writes the affected count. */
export interface ExecuteResult {
  rows: unknown[];
  changes?: number;
  lastInsertId?: number | bigint;
}

/** Runs one statement; implemented by each dialect's connection and transaction. */
export type Execute = (sql: string, params: readonly unknown[]) => Promise<ExecuteResult>;

class VoltConnection implements DatabaseConnection {
  #execute: Execute;
  constructor(execute: Execute) {
    this.#execute = execute;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.#execute(query.sql, query.parameters);
    const out: { rows: R[]; numAffectedRows?: bigint; insertId?: bigint } = { rows: result.rows as R[] };
    if (result.changes !== undefined) out.numAffectedRows = BigInt(result.changes);
    if (result.lastInsertId !== undefined) out.insertId = BigInt(result.lastInsertId);
    return out;
  }

  // Rows are fetched whole; a streaming API can come with the query layer if it needs one.
  async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    yield await this.executeQuery<R>(query);
  }
}

class VoltDriver implements Driver {
  #connection: VoltConnection;
  constructor(execute: Execute) {
    this.#connection = new VoltConnection(execute);
  }
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return this.#connection;
  }
  async beginTransaction(): Promise<void> {
    throw new Error('Use db.transaction(async (tx) => …) and tx.kysely instead of kysely.transaction()');
  }
  async commitTransaction(): Promise<void> {}
  async rollbackTransaction(): Promise<void> {}
  async releaseConnection(): Promise<void> {}
  // The Database owns the connection; db.close() closes it.
  async destroy(): Promise<void> {}
}

/** A Kysely instance for the dialect of `ops` that executes through `execute`. */
export function createKysely(ops: DialectOps, execute: Execute): Kysely<any> {
  const kyselyDialect: Dialect = {
    createDriver: () => new VoltDriver(execute),
    createQueryCompiler: () => ops.kysely.compiler(),
    createAdapter: () => ops.kysely.adapter(),
    createIntrospector: (db) => ops.kysely.introspector(db),
  };
  return new Kysely<any>({ dialect: kyselyDialect });
}
