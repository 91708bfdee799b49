/**
 * The schema editor of migrations: the DDL of each kind of change, per dialect, read from
 * historical models.
 *
 * PostgreSQL alters tables in place. SQLite can add, rename and drop a plain column in place;
 * any other change (a column's type, null, default, unique or foreign key; a check; a
 * unique-together) rebuilds the table: create `new__<table>` with the new definition, copy the
 * rows, drop the old table, rename the new one, recreate the indexes. Foreign keys pointing in
 * keep working because they name the table, which ends up the same; they must be off while
 * the old table is dropped (else its `on delete cascade` would empty the children), which
 * {@link schemaTransaction} sees to.
 */

import type { Database } from '../database.ts';
import type { DialectOps } from '../dialects/ops.ts';
import { quoteIdentifier as q } from '../dialects/quote.ts';
import type { AnyField } from '../fields/field.ts';
import { RelationField } from '../fields/relation.ts';
import type { CheckSpec, IndexSpec } from '../meta.ts';
import type { AnyModel } from '../model.ts';
import {
  autoJoinTable,
  checkSql,
  columnSql,
  createTableSql,
  createTableStatement,
  defaultClause,
  fieldIndexName,
  fieldIndexSql,
  indexSql,
  joinTableSql,
  referenceClause,
} from '../schema-editor.ts';
import type { SchemaEditorLike } from './types.ts';

/** A change the schema editor cannot make. Stable code: `VOLT_MIGRATION_SCHEMA`. */
export class SchemaChangeError extends Error {
  override readonly name = 'SchemaChangeError';
  readonly code = 'VOLT_MIGRATION_SCHEMA';
}

/** Options of the {@link SchemaEditor}. */
export interface SchemaEditorOptions {
  /** Only record the statements (for `sqlmigrate`); nothing runs but catalog reads. */
  collect?: boolean;
}

/** What a table is made of, for a SQLite rebuild. */
interface TableShape {
  readonly model: AnyModel;
  readonly fields: readonly AnyField[];
  readonly checks: readonly CheckSpec[];
  readonly uniqueTogether: readonly (readonly string[])[];
  /** `create index` statements for the finished table. */
  readonly indexes: readonly string[];
}

/** A column of the new table and what fills it from the old one. */
interface Copy {
  readonly expression: string;
  readonly params: readonly unknown[];
}

type ConstraintType = 'u' | 'f';

const CONSTRAINT_SUFFIX: Record<ConstraintType, string> = { u: 'key', f: 'fkey' };

function isConcreteRelation(field: AnyField): field is RelationField {
  return field instanceof RelationField && field.concrete;
}

/** A copy of a bound field with some of its properties changed (fields are frozen). */
function variant(field: AnyField, changes: Partial<Pick<AnyField, 'nullable'>>): AnyField {
  return Object.freeze(
    Object.assign(Object.create(Object.getPrototypeOf(field)), field, changes),
  ) as AnyField;
}

/** The value that fills existing rows: the field's default (a default function is called once). */
function fillValue(field: AnyField, ops: DialectOps): unknown {
  if (!field.hasDefault) return undefined;
  const value = field.getDefault();
  return value === null || value === undefined ? undefined : field.toDb(value, ops);
}

/** The field names a check or index refers to. */
function namesIn(check: CheckSpec): string[] {
  return 'where' in check ? Object.keys(check.where) : [];
}

function bare(name: string): string {
  return name.startsWith('-') ? name.slice(1) : name;
}

function sameReference(a: RelationField, b: RelationField): boolean {
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
 * await schemaTransaction(db, (tx) => new SchemaEditor(tx).addField(Book, Book.meta.field('isbn')));
 * ```
 */
export async function schemaTransaction<T>(db: Database, fn: (tx: Database) => Promise<T>): Promise<T> {
  return db.ops.schemaTransaction(db, fn);
}

/**
 * Runs (or, for `sqlmigrate`, only collects) the DDL of migration operations on one dialect.
 *
 * @example
 * ```ts
 * const editor = new SchemaEditor(tx);
 * await editor.addField(Book, Book.meta.field('isbn'));
 *
 * const preview = new SchemaEditor(db, { collect: true });
 * await preview.createModel(Book);
 * preview.statements; // ['create table "library_book" (…)', …]
 * ```
 */
export class SchemaEditor implements SchemaEditorLike {
  readonly db: Database;
  readonly dialect: Database['dialect'];
  /** What the DDL of this dialect does differently (`db.ops`). */
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

  async #run(statements: readonly string[]): Promise<void> {
    for (const sql of statements) await this.execute(sql);
  }

  // ---- tables ----------------------------------------------------------------------------

  async createModel(model: AnyModel): Promise<void> {
    await this.#run(createTableSql(model, this.ops).statements);
    for (const field of model.meta.forwardRelations)
      await this.#run(joinTableSql(field, this.ops)?.statements ?? []);
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
        await this.execute(fieldIndexSql(field)!);
      }
    }
    await this.#syncIndexes(from, to);
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
      await this.#run(joinTableSql(field as RelationField, this.ops)?.statements ?? []);
      return;
    }
    if (field.primaryKey)
      throw new SchemaChangeError(
        `${model.meta.label}.${field.name}: a primary key cannot be added to an existing table; create the model with it`,
      );
    const table = q(model.meta.table);
    const column = q(field.column!);
    // A default function has no SQL form: it is called once and its value fills existing rows.
    const fill = typeof field.default === 'function' ? fillValue(field, this.ops) : undefined;
    if (!this.ops.rebuildsTables) {
      if (fill === undefined) {
        await this.execute(`alter table ${table} add column ${columnSql(field, this.ops)}`);
      } else {
        await this.execute(
          `alter table ${table} add column ${columnSql(variant(field, { nullable: true }), this.ops)}`,
        );
        await this.execute(`update ${table} set ${column} = $1`, [fill]);
        if (!field.nullable) await this.execute(`alter table ${table} alter column ${column} set not null`);
      }
    } else {
      // SQLite adds a column in place unless it is unique, or not null without a literal
      // default, or a foreign key with a default (which ADD COLUMN refuses).
      const literalDefault = defaultClause(field, this.ops) !== '';
      const inPlace =
        !field.unique && !(isConcreteRelation(field) && literalDefault) && (field.nullable || literalDefault);
      if (inPlace) {
        await this.execute(`alter table ${table} add column ${columnSql(field, this.ops)}`);
        if (fill !== undefined) await this.execute(`update ${table} set ${column} = ?`, [fill]);
      } else {
        const copies = this.#sameColumns(model, model, new Set([field.name]));
        // Without a fill, the column is left out of the copy: its SQL default (or NULL) applies.
        if (fill !== undefined) copies.set(field.column!, { expression: '?', params: [fill] });
        await this.#rebuild(this.#shape(model), copies);
        return;
      }
    }
    const index = fieldIndexSql(field);
    if (index) await this.execute(index);
  }

  async removeField(model: AnyModel, field: AnyField): Promise<void> {
    if (field.kind === 'manyToMany') {
      const join = autoJoinTable(field as RelationField);
      if (join) await this.execute(`drop table ${q(join.table)}`);
      return;
    }
    if (field.primaryKey)
      throw new SchemaChangeError(`${model.meta.label}.${field.name}: the primary key cannot be removed`);
    const table = q(model.meta.table);
    const usedElsewhere =
      model.meta.indexes.some((index) => index.fields.some((name) => bare(name) === field.name)) ||
      model.meta.uniqueTogether.some((set) => set.includes(field.name)) ||
      model.meta.checks.some((check) => namesIn(check).includes(field.name) || 'rawSql' in check);
    if (!this.ops.rebuildsTables || (!field.unique && !isConcreteRelation(field) && !usedElsewhere)) {
      // SQLite refuses to drop an indexed column: its index goes first.
      if (this.ops.dropsIndexBeforeColumn && fieldIndexSql(field))
        await this.execute(`drop index ${q(fieldIndexName(model.meta.table, field.column!))}`);
      await this.execute(`alter table ${table} drop column ${q(field.column!)}`);
      return;
    }
    const fields = model.meta.concreteFields.filter((f) => f !== field);
    const indexes: string[] = [];
    for (const f of fields) {
      const sql = fieldIndexSql(f);
      if (sql) indexes.push(sql);
    }
    for (const index of model.meta.indexes)
      if (!index.fields.some((name) => bare(name) === field.name)) indexes.push(indexSql(model, index));
    await this.#rebuild(
      {
        model,
        fields,
        checks: model.meta.checks.filter((check) => !namesIn(check).includes(field.name)),
        uniqueTogether: model.meta.uniqueTogether.filter((set) => !set.includes(field.name)),
        indexes,
      },
      this.#sameColumns(model, model, new Set([field.name])),
    );
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
    if (!this.ops.rebuildsTables) await this.#alterFieldPostgres(from, fromField, to, toField);
    else await this.#alterFieldSqlite(from, fromField, to, toField);
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
    if (b) await this.#run(joinTableSql(to, this.ops)!.statements);
  }

  async #alterFieldPostgres(
    from: AnyModel,
    fromField: AnyField,
    to: AnyModel,
    toField: AnyField,
  ): Promise<void> {
    const tableName = to.meta.table;
    const table = q(tableName);
    const oldColumn = fromField.column!;
    const column = q(toField.column!);
    const renamed = oldColumn !== toField.column;
    const fromFk = isConcreteRelation(fromField);
    const toFk = isConcreteRelation(toField);
    const fkChanged = fromFk !== toFk || (fromFk && toFk && !sameReference(fromField, toField));
    const fromUnique = fromField.unique && !fromField.primaryKey;
    const toUnique = toField.unique && !toField.primaryKey;
    const fromIndex = fieldIndexSql(fromField) !== undefined;
    const toIndex = fieldIndexSql(toField) !== undefined;

    if (fromFk && fkChanged)
      for (const name of await this.#constraintNames(tableName, [oldColumn], 'f'))
        await this.execute(`alter table ${table} drop constraint ${q(name)}`);
    if (fromUnique && !toUnique)
      for (const name of await this.#constraintNames(tableName, [oldColumn], 'u'))
        await this.execute(`alter table ${table} drop constraint ${q(name)}`);
    if (fromIndex && (!toIndex || renamed))
      await this.execute(`drop index ${q(fieldIndexName(from.meta.table, oldColumn))}`);
    if (renamed) await this.execute(`alter table ${table} rename column ${q(oldColumn)} to ${column}`);

    const oldType = fromField.columnType(this.ops);
    const type = toField.columnType(this.ops)!;
    const typeChanged = oldType !== type;
    const oldDefault = defaultClause(fromField, this.ops);
    const newDefault = defaultClause(toField, this.ops);
    if (oldDefault && (oldDefault !== newDefault || typeChanged))
      await this.execute(`alter table ${table} alter column ${column} drop default`);
    if (typeChanged)
      await this.execute(`alter table ${table} alter column ${column} type ${type} using ${column}::${type}`);
    if (fromField.nullable && !toField.nullable) {
      const fill = fillValue(toField, this.ops);
      if (fill !== undefined)
        await this.execute(`update ${table} set ${column} = $1 where ${column} is null`, [fill]);
      await this.execute(`alter table ${table} alter column ${column} set not null`);
    }
    if (!fromField.nullable && toField.nullable)
      await this.execute(`alter table ${table} alter column ${column} drop not null`);
    if (newDefault && (newDefault !== oldDefault || typeChanged))
      await this.execute(`alter table ${table} alter column ${column} set${newDefault}`);
    if (!fromUnique && toUnique)
      await this.execute(
        `alter table ${table} add constraint ${q(`${tableName}_${toField.column}_key`)} unique (${column})`,
      );
    if (toFk && fkChanged)
      await this.execute(
        `alter table ${table} add constraint ${q(`${tableName}_${toField.column}_fkey`)} foreign key (${column}) ${referenceClause(toField)}`,
      );
    if (toIndex && (!fromIndex || renamed)) await this.execute(fieldIndexSql(toField)!);
    await this.#syncIndexes(from, to);
  }

  async #alterFieldSqlite(
    from: AnyModel,
    fromField: AnyField,
    to: AnyModel,
    toField: AnyField,
  ): Promise<void> {
    const renamed = fromField.column !== toField.column;
    const fromFk = isConcreteRelation(fromField);
    const toFk = isConcreteRelation(toField);
    const sameDefinition =
      fromField.columnType(this.ops) === toField.columnType(this.ops) &&
      fromField.nullable === toField.nullable &&
      defaultClause(fromField, this.ops) === defaultClause(toField, this.ops) &&
      fromField.unique === toField.unique &&
      fromFk === toFk &&
      (!fromFk || !toFk || sameReference(fromField, toField));
    if (sameDefinition) {
      const fromIndex = fieldIndexSql(fromField) !== undefined;
      const toIndex = fieldIndexSql(toField) !== undefined;
      if (fromIndex && (!toIndex || renamed))
        await this.execute(`drop index ${q(fieldIndexName(from.meta.table, fromField.column!))}`);
      if (renamed)
        await this.execute(
          `alter table ${q(to.meta.table)} rename column ${q(fromField.column!)} to ${q(toField.column!)}`,
        );
      if (toIndex && (!fromIndex || renamed)) await this.execute(fieldIndexSql(toField)!);
      await this.#syncIndexes(from, to);
      return;
    }
    const copies = this.#sameColumns(from, to, new Set([toField.name]));
    let expression = q(fromField.column!);
    const params: unknown[] = [];
    const fill = fillValue(toField, this.ops);
    if (fromField.nullable && !toField.nullable && fill !== undefined) {
      expression = `coalesce(${expression}, ?)`;
      params.push(fill);
    }
    copies.set(toField.column!, { expression, params });
    await this.#rebuild(this.#shape(to), copies);
  }

  // ---- indexes and constraints -----------------------------------------------------------

  async addIndex(model: AnyModel, index: IndexSpec & { readonly name: string }): Promise<void> {
    await this.execute(indexSql(model, index));
  }

  async removeIndex(_model: AnyModel, index: IndexSpec & { readonly name: string }): Promise<void> {
    await this.execute(`drop index ${q(index.name)}`);
  }

  async addCheck(model: AnyModel, check: CheckSpec): Promise<void> {
    if (!this.ops.rebuildsTables) {
      await this.execute(
        `alter table ${q(model.meta.table)} add constraint ${q(check.name)} check (${checkSql(model, check, this.ops)})`,
      );
      return;
    }
    const checks = [...model.meta.checks.filter((c) => c.name !== check.name), check];
    await this.#rebuild(this.#shape(model, { checks }), this.#sameColumns(model, model));
  }

  async removeCheck(model: AnyModel, check: CheckSpec): Promise<void> {
    if (!this.ops.rebuildsTables) {
      await this.execute(`alter table ${q(model.meta.table)} drop constraint ${q(check.name)}`);
      return;
    }
    const checks = model.meta.checks.filter((c) => c.name !== check.name);
    await this.#rebuild(this.#shape(model, { checks }), this.#sameColumns(model, model));
  }

  async alterUniqueTogether(
    model: AnyModel,
    from: readonly (readonly string[])[],
    to: readonly (readonly string[])[],
  ): Promise<void> {
    const key = (set: readonly string[]) => set.join('\0');
    const before = new Set(from.map(key));
    const after = new Set(to.map(key));
    if (from.length === to.length && from.every((set) => after.has(key(set)))) return;
    if (this.ops.rebuildsTables) {
      await this.#rebuild(this.#shape(model, { uniqueTogether: to }), this.#sameColumns(model, model));
      return;
    }
    const tableName = model.meta.table;
    const columns = (set: readonly string[]) => set.map((name) => model.meta.field(name).column!);
    for (const set of from) {
      if (after.has(key(set))) continue;
      for (const name of await this.#constraintNames(tableName, columns(set), 'u'))
        await this.execute(`alter table ${q(tableName)} drop constraint ${q(name)}`);
    }
    for (const set of to) {
      if (before.has(key(set))) continue;
      const cols = columns(set);
      await this.execute(
        `alter table ${q(tableName)} add constraint ${q(`${tableName}_${cols.join('_')}_key`)} unique (${cols.map(q).join(', ')})`,
      );
    }
  }

  /** Drops the indexes of `from` that `to` no longer has by name, creates the new ones. */
  async #syncIndexes(from: AnyModel, to: AnyModel): Promise<void> {
    const after = new Set(to.meta.indexes.map((index) => index.name));
    const before = new Set(from.meta.indexes.map((index) => index.name));
    for (const index of from.meta.indexes)
      if (!after.has(index.name)) await this.execute(`drop index ${q(index.name)}`);
    for (const index of to.meta.indexes) if (!before.has(index.name)) await this.execute(indexSql(to, index));
  }

  /**
   * The names of the PostgreSQL constraints of `type` over exactly `columns`, from the
   * catalog; PostgreSQL's own naming (`<table>_<columns>_key`/`_fkey`) when none is found (in
   * `sqlmigrate` the table may not exist yet).
   */
  async #constraintNames(table: string, columns: readonly string[], type: ConstraintType): Promise<string[]> {
    const rows = await this.db.all<{ name: string }>(
      `select con.conname as name from pg_constraint con
         join pg_class rel on rel.oid = con.conrelid
         join pg_namespace ns on ns.oid = rel.relnamespace
        where ns.nspname = current_schema() and rel.relname = $1 and con.contype = $2
          and array(select att.attname::text
                      from unnest(con.conkey) with ordinality as k(attnum, ord)
                      join pg_attribute att on att.attrelid = con.conrelid and att.attnum = k.attnum
                     order by k.ord) = $3::text[]
        order by con.conname`,
      [table, type, columns],
    );
    if (rows.length > 0) return rows.map((row) => row.name);
    return [`${table}_${columns.join('_')}_${CONSTRAINT_SUFFIX[type]}`];
  }

  // ---- SQLite table rebuilds -------------------------------------------------------------

  #shape(model: AnyModel, overrides: Partial<TableShape> = {}): TableShape {
    const indexes: string[] = [];
    for (const field of model.meta.concreteFields) {
      const sql = fieldIndexSql(field);
      if (sql) indexes.push(sql);
    }
    for (const index of model.meta.indexes) indexes.push(indexSql(model, index));
    return {
      model,
      fields: model.meta.concreteFields,
      checks: model.meta.checks,
      uniqueTogether: model.meta.uniqueTogether,
      indexes,
      ...overrides,
    };
  }

  /** The columns `to` shares with `from` by field name (except `skip`), copied as they are. */
  #sameColumns(from: AnyModel, to: AnyModel, skip: ReadonlySet<string> = new Set()): Map<string, Copy> {
    const copies = new Map<string, Copy>();
    for (const field of to.meta.concreteFields) {
      if (skip.has(field.name) || !from.meta.hasField(field.name)) continue;
      const old = from.meta.field(field.name);
      if (old.column) copies.set(field.column!, { expression: q(old.column), params: [] });
    }
    return copies;
  }

  /**
   * Rebuilds a SQLite table as `shape` says, filling each new column from `copies` (columns
   * left out get their default). Foreign keys must be off (see {@link schemaTransaction}).
   */
  async #rebuild(shape: TableShape, copies: ReadonlyMap<string, Copy>): Promise<void> {
    const table = shape.model.meta.table;
    const temporary = `new__${table}`;
    await this.execute(
      createTableStatement(shape.model, this.ops, {
        table: temporary,
        fields: shape.fields,
        checks: shape.checks,
        uniqueTogether: shape.uniqueTogether,
      }),
    );
    const columns = [...copies.keys()];
    const params = [...copies.values()].flatMap((copy) => copy.params);
    if (columns.length > 0)
      await this.execute(
        `insert into ${q(temporary)} (${columns.map(q).join(', ')}) select ${[...copies.values()]
          .map((copy) => copy.expression)
          .join(', ')} from ${q(table)}`,
        params,
      );
    await this.execute(`drop table ${q(table)}`);
    await this.execute(`alter table ${q(temporary)} rename to ${q(table)}`);
    await this.#run(shape.indexes);
  }
}
