/**
 * The schema editor of migrations: the DDL of each kind of change, read from historical models
 * (as Django's `BaseDatabaseSchemaEditor`). This base holds what every dialect does the same
 * way — tables, renames, many-to-manys, indexes — and each dialect's folder subclasses it for
 * the rest (as Django's backends' `DatabaseSchemaEditor`): `dialects/postgres/schema-editor.ts`
 * alters tables in place, `dialects/sqlite/schema-editor.ts` rebuilds them. `schemaEditor(db)`
 * makes the one of `db`'s dialect (through `db.ops`).
 */

import type { Database } from '../database.ts';
import {
  autoJoinTable,
  createTableSql,
  fieldIndexName,
  fieldIndexSql,
  indexSql,
  joinTableSql,
} from '../ddl.ts';
import type { DialectOps } from '../dialects/ops.ts';
import { quoteIdentifier as q } from '../dialects/quote.ts';
import type { AnyField } from '../fields/field.ts';
import { RelationField } from '../fields/relation.ts';
import type { CheckSpec, IndexSpec } from '../meta.ts';
import type { AnyModel } from '../model.ts';
import type { SchemaEditorLike } from './types.ts';

/** A change the schema editor cannot make. Stable code: `VOLT_MIGRATION_SCHEMA`. */
export class SchemaChangeError extends Error {
  override readonly name = 'SchemaChangeError';
  readonly code = 'VOLT_MIGRATION_SCHEMA';
}

/** Options of a {@link SchemaEditor}. */
export interface SchemaEditorOptions {
  /** Only record the statements (for `sqlmigrate`); nothing runs but catalog reads. */
  collect?: boolean;
}

/** A field that is a column pointing at another table (a foreign key or one-to-one). */
export function isConcreteRelation(field: AnyField): field is RelationField {
  return field instanceof RelationField && field.concrete;
}

/** The value that fills existing rows: the field's default (a default function is called once). */
export function fillValue(field: AnyField, ops: DialectOps): unknown {
  if (!field.hasDefault) return undefined;
  const value = field.getDefault();
  return value === null || value === undefined ? undefined : field.toDb(value, ops);
}

/** `true` when two foreign keys point at the same column with the same `on delete`. */
export function sameReference(a: RelationField, b: RelationField): boolean {
  return (
    a.target.meta.table === b.target.meta.table &&
    a.targetPk.column === b.targetPk.column &&
    a.onDelete === b.onDelete
  );
}

/** Parameters as SQL literals, for showing (never for running): `'abc', 7`. */
export function printableParameters(params: readonly unknown[]): string {
  return params
    .map((value) => (typeof value === 'string' ? `'${value.replaceAll("'", "''")}'` : String(value)))
    .join(', ');
}

/**
 * Runs one change of the schema atomically: a transaction on PostgreSQL; on SQLite also with
 * foreign keys off (set before `BEGIN`, as SQLite ignores the pragma inside a transaction, and
 * restored after), checking every foreign key with `PRAGMA foreign_key_check` before the commit.
 *
 * @example
 * ```ts
 * await schemaTransaction(db, async (tx) => (await schemaEditor(tx)).addField(Book, Book.meta.field('isbn')));
 * ```
 */
export async function schemaTransaction<T>(db: Database, fn: (tx: Database) => Promise<T>): Promise<T> {
  return db.ops.schemaTransaction(db, fn);
}

/**
 * The schema editor of `db`'s dialect, running its statements on `db` (or, with `collect`, only
 * recording them).
 *
 * @example
 * ```ts
 * const editor = await schemaEditor(tx);
 * await editor.addField(Book, Book.meta.field('isbn'));
 *
 * const preview = await schemaEditor(db, { collect: true });
 * await preview.createModel(Book);
 * preview.statements; // ['create table "library_book" (…)', …]
 * ```
 */
export function schemaEditor(db: Database, options: SchemaEditorOptions = {}): Promise<SchemaEditor> {
  return db.ops.schemaEditor(db, options);
}

/**
 * Runs (or, for `sqlmigrate`, only collects) the DDL of migration operations. Subclasses, one
 * per dialect, make the changes that dialect makes its own way: a column added, removed or
 * altered, a check, a unique-together.
 */
export abstract class SchemaEditor implements SchemaEditorLike {
  readonly db: Database;
  readonly dialect: Database['dialect'];
  /** What this dialect does differently (`db.ops`). */
  readonly ops: DialectOps;
  /** `true` when statements are only recorded. */
  readonly collect: boolean;
  /** Every statement run or collected, in order, with its parameters. */
  readonly executed: { readonly sql: string; readonly params: readonly unknown[] }[] = [];

  constructor(db: Database, options: SchemaEditorOptions = {}) {
    this.db = db;
    this.dialect = db.dialect;
    this.ops = db.ops;
    this.collect = options.collect ?? false;
  }

  /** Every statement run or collected, in order; parameters, if any, shown after `--`. */
  get statements(): string[] {
    return this.executed.map(({ sql, params }) =>
      params.length ? `${sql} -- parameters: ${printableParameters(params)}` : sql,
    );
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<void> {
    this.executed.push({ sql, params });
    if (!this.collect) await this.db.run(sql, params);
  }

  protected async executeAll(statements: readonly string[]): Promise<void> {
    for (const sql of statements) await this.execute(sql);
  }

  // ---- what each dialect does its own way ------------------------------------------------

  /**
   * Adds the column of `field` (not a many-to-many, not a primary key) and its index, filling
   * existing rows with `fill` when it is defined (a default function's value).
   */
  protected abstract addColumn(model: AnyModel, field: AnyField, fill: unknown): Promise<void>;
  /** Drops the column of `field` (not a many-to-many, not the primary key) and its index. */
  protected abstract dropColumn(model: AnyModel, field: AnyField): Promise<void>;
  /** Changes a column (not a many-to-many, the primary key unchanged) from `fromField` to `toField`. */
  protected abstract alterColumn(
    from: AnyModel,
    fromField: AnyField,
    to: AnyModel,
    toField: AnyField,
  ): Promise<void>;
  abstract addCheck(model: AnyModel, check: CheckSpec): Promise<void>;
  abstract removeCheck(model: AnyModel, check: CheckSpec): Promise<void>;
  /** Makes `model`'s table unique over the sets of `to` instead of `from` (which differ). */
  protected abstract changeUniqueTogether(
    model: AnyModel,
    from: readonly (readonly string[])[],
    to: readonly (readonly string[])[],
  ): Promise<void>;

  // ---- tables ----------------------------------------------------------------------------

  async createModel(model: AnyModel): Promise<void> {
    await this.executeAll(createTableSql(model, this.ops).statements);
    for (const field of model.meta.forwardRelations)
      await this.executeAll(joinTableSql(field, this.ops)?.statements ?? []);
  }

  async deleteModel(model: AnyModel): Promise<void> {
    for (const field of model.meta.forwardRelations) {
      const join = autoJoinTable(field);
      if (join) await this.execute(`drop table ${q(join.table)}`);
    }
    await this.execute(`drop table ${q(model.meta.table)}`);
  }

  async alterTable(from: AnyModel, to: AnyModel): Promise<void> {
    const table = to.meta.table;
    if (from.meta.table !== table)
      await this.execute(`alter table ${q(from.meta.table)} rename to ${q(table)}`);
    // Index names derived from the table follow it.
    for (const field of to.meta.concreteFields) {
      const old = from.meta.fields.find((f) => f.column === field.column);
      if (!old || !fieldIndexSql(old) || !fieldIndexSql(field)) continue;
      const before = fieldIndexName(from.meta.table, old.column!);
      if (before !== fieldIndexName(table, field.column!)) {
        await this.execute(`drop index ${q(before)}`);
        await this.execute(fieldIndexSql(field, undefined, this.ops)!);
      }
    }
    await this.syncIndexes(from, to);
    // The auto join tables of its many-to-manys, and of those pointing at it, are named after it.
    for (const field of to.meta.forwardRelations) {
      const old = from.meta.hasField(field.name) ? from.meta.field(field.name) : undefined;
      if (old instanceof RelationField) await this.#moveJoinTable(old, field);
    }
    for (const other of to.meta.registry.all()) {
      if (other === to) continue;
      const before = from.meta.registry.find(other.meta.label);
      if (!before) continue;
      for (const field of other.meta.forwardRelations) {
        if (!field.pointsAt(to) || !before.meta.hasField(field.name)) continue;
        const old = before.meta.field(field.name);
        if (old instanceof RelationField) await this.#moveJoinTable(old, field);
      }
    }
  }

  /** Renames an auto join table and its columns from `from`'s names to `to`'s. */
  async #moveJoinTable(from: RelationField, to: RelationField): Promise<void> {
    const a = autoJoinTable(from);
    const b = autoJoinTable(to);
    if (!a || !b) return;
    if (a.table !== b.table) await this.execute(`alter table ${q(a.table)} rename to ${q(b.table)}`);
    for (const [x, y] of [
      [a.sourceColumn, b.sourceColumn],
      [a.targetColumn, b.targetColumn],
    ] as const)
      if (x !== y) await this.execute(`alter table ${q(b.table)} rename column ${q(x)} to ${q(y)}`);
  }

  // ---- fields ----------------------------------------------------------------------------

  async addField(model: AnyModel, field: AnyField): Promise<void> {
    if (field.kind === 'manyToMany') {
      await this.executeAll(joinTableSql(field as RelationField, this.ops)?.statements ?? []);
      return;
    }
    if (field.primaryKey)
      throw new SchemaChangeError(
        `${model.meta.label}.${field.name}: a primary key cannot be added to an existing table; create the model with it`,
      );
    // A default function has no SQL form: it is called once and its value fills existing rows.
    const fill = typeof field.default === 'function' ? fillValue(field, this.ops) : undefined;
    await this.addColumn(model, field, fill);
  }

  async removeField(model: AnyModel, field: AnyField): Promise<void> {
    if (field.kind === 'manyToMany') {
      const join = autoJoinTable(field as RelationField);
      if (join) await this.execute(`drop table ${q(join.table)}`);
      return;
    }
    if (field.primaryKey)
      throw new SchemaChangeError(`${model.meta.label}.${field.name}: the primary key cannot be removed`);
    await this.dropColumn(model, field);
  }

  async alterField(from: AnyModel, fromField: AnyField, to: AnyModel, toField: AnyField): Promise<void> {
    const where = `${to.meta.label}.${toField.name}`;
    if ((fromField.kind === 'manyToMany') !== (toField.kind === 'manyToMany'))
      throw new SchemaChangeError(
        `${where}: a many-to-many cannot become a column or the reverse; remove the field and add a new one`,
      );
    if (fromField.kind === 'manyToMany') {
      await this.#alterManyToMany(fromField as RelationField, toField as RelationField);
      return;
    }
    if (fromField.primaryKey !== toField.primaryKey)
      throw new SchemaChangeError(`${where}: changing which field is the primary key is not supported`);
    await this.alterColumn(from, fromField, to, toField);
  }

  async #alterManyToMany(from: RelationField, to: RelationField): Promise<void> {
    const a = autoJoinTable(from);
    const b = autoJoinTable(to);
    if (a && b && a.table !== b.table && from.target.meta.table === to.target.meta.table) {
      await this.#moveJoinTable(from, to);
      return;
    }
    if (a && b && a.table === b.table && from.target.meta.table === to.target.meta.table) return;
    if (a) await this.execute(`drop table ${q(a.table)}`);
    if (b) await this.executeAll(joinTableSql(to, this.ops)!.statements);
  }

  // ---- indexes and constraints -----------------------------------------------------------

  async addIndex(model: AnyModel, index: IndexSpec & { readonly name: string }): Promise<void> {
    await this.execute(indexSql(model, index, this.ops));
  }

  async removeIndex(_model: AnyModel, index: IndexSpec & { readonly name: string }): Promise<void> {
    await this.execute(`drop index ${q(index.name)}`);
  }

  async alterUniqueTogether(
    model: AnyModel,
    from: readonly (readonly string[])[],
    to: readonly (readonly string[])[],
  ): Promise<void> {
    const after = new Set(to.map(uniqueKey));
    if (from.length === to.length && from.every((set) => after.has(uniqueKey(set)))) return;
    await this.changeUniqueTogether(model, from, to);
  }

  /** Drops the indexes of `from` that `to` no longer has by name, creates the new ones. */
  protected async syncIndexes(from: AnyModel, to: AnyModel): Promise<void> {
    const after = new Set(to.meta.indexes.map((index) => index.name));
    const before = new Set(from.meta.indexes.map((index) => index.name));
    for (const index of from.meta.indexes)
      if (!after.has(index.name)) await this.execute(`drop index ${q(index.name)}`);
    for (const index of to.meta.indexes)
      if (!before.has(index.name)) await this.execute(indexSql(to, index, this.ops));
  }
}

/** A unique-together set as one comparable string. */
export function uniqueKey(set: readonly string[]): string {
  return set.join('\0');
}
