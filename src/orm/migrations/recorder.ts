/**
 * The migration recorder: which migrations a database has applied, kept in its own table
 * `volt_migrations` (id, app, name, applied_at), written in the same transaction as the
 * migration's DDL so the record and the schema never disagree.
 */
import type { Database } from '../database.ts';
import type { MigrationId } from './types.ts';

/** The table the applied migrations are recorded in. */
export const MIGRATIONS_TABLE = 'volt_migrations';

/** One row of `volt_migrations`. */
export interface AppliedMigration {
  readonly id: MigrationId;
  readonly app: string;
  readonly name: string;
  readonly appliedAt: Date;
}

function splitId(id: MigrationId): [string, string] {
  const slash = id.indexOf('/');
  return [id.slice(0, slash), id.slice(slash + 1)];
}

/**
 * `true` when the database has a table named `table` (on PostgreSQL, in the current schema).
 *
 * @example
 * ```ts
 * if (!(await tableExists(db, 'auth_user'))) throw new Error('run volt migrate first');
 * ```
 */
export async function tableExists(db: Database, table: string): Promise<boolean> {
  return (await db.get(db.ops.tableExistsSql, [table])) !== undefined;
}

/** `true` when the database has the `volt_migrations` table. */
export function hasMigrationsTable(db: Database): Promise<boolean> {
  return tableExists(db, MIGRATIONS_TABLE);
}

/**
 * Creates `volt_migrations` unless it exists.
 *
 * @example
 * ```ts
 * await ensureMigrationsTable(db);
 * ```
 */
export async function ensureMigrationsTable(db: Database): Promise<void> {
  const table = db.quoteIdentifier(MIGRATIONS_TABLE);
  await db.run(
    `create table if not exists ${table} (${db.ops.migrationsTableColumns}, unique ("app", "name"))`,
  );
}

/**
 * The migrations the database has applied, oldest first; none when `volt_migrations` does not
 * exist (nothing is created: reading never writes).
 *
 * @example
 * ```ts
 * (await appliedMigrations(db)).map((m) => m.id); // ['library/0001_initial']
 * ```
 */
export async function appliedMigrations(db: Database): Promise<AppliedMigration[]> {
  if (!(await hasMigrationsTable(db))) return [];
  const rows = await db.all<{ app: string; name: string; applied_at: string | Date }>(
    `select "app", "name", "applied_at" from ${db.quoteIdentifier(MIGRATIONS_TABLE)} order by "id"`,
  );
  return rows.map((row) => ({
    id: `${row.app}/${row.name}` as MigrationId,
    app: row.app,
    name: row.name,
    appliedAt: row.applied_at instanceof Date ? row.applied_at : new Date(row.applied_at),
  }));
}

/** Records `id` as applied (run it in the migration's transaction). */
export async function recordApplied(db: Database, id: MigrationId): Promise<void> {
  const [app, name] = splitId(id);
  const values = [1, 2, 3].map((n) => db.ops.placeholder(n)).join(', ');
  await db.run(
    `insert into ${db.quoteIdentifier(MIGRATIONS_TABLE)} ("app", "name", "applied_at") values (${values})`,
    [app, name, new Date().toISOString()],
  );
}

/** Forgets that `id` was applied (run it in the migration's transaction). */
export async function recordUnapplied(db: Database, id: MigrationId): Promise<void> {
  const [app, name] = splitId(id);
  const where = `"app" = ${db.ops.placeholder(1)} and "name" = ${db.ops.placeholder(2)}`;
  await db.run(`delete from ${db.quoteIdentifier(MIGRATIONS_TABLE)} where ${where}`, [app, name]);
}
