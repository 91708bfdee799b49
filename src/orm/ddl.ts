/**
 * Table DDL: the DDL that creates a model's table (and its many-to-many join tables)
 * on a dialect, read from `Model.meta` only, and `createTables()` to run it in dependency order.
 */

import type { Database } from './database.ts';
import type { DialectOps } from './dialects/ops.ts';
import { quoteIdentifier as q } from './dialects/quote.ts';
import { opsOf } from './dialects/registry.ts';
import type { AnyField, Dialect } from './fields/field.ts';
import { snakeCase } from './fields/names.ts';
import { type OnDelete, RelationField } from './fields/relation.ts';
import type { CheckSpec, Condition } from './meta.ts';
import type { AnyModel } from './model.ts';

/** A table's DDL. */
export interface TableDdl {
  /** The table name. */
  readonly table: string;
  /** `create table …` followed by its `create index …` statements. */
  readonly statements: readonly string[];
}

/** A many-to-many join table Volt creates itself (the relation has no `through`). */
export interface AutoJoinTable {
  readonly table: string;
  /** The column pointing at the declaring model's primary key. */
  readonly sourceColumn: string;
  /** The column pointing at the target's primary key. */
  readonly targetColumn: string;
}

const ON_DELETE_SQL: Record<OnDelete, string> = {
  cascade: 'cascade',
  // `protect` is enforced by the ORM (it names the rows in the way); the database restricts.
  protect: 'restrict',
  restrict: 'restrict',
  setNull: 'set null',
  setDefault: 'set default',
};

/**
 * The join table of a many-to-many declared without `through`: `<table>_<name>` with
 * `<model>_id` and `<target>_id` (`from_…`/`to_…` when a model relates to itself).
 *
 * @example
 * ```ts
 * autoJoinTable(Post.meta.relation('tags'));
 * // { table: 'blog_post_tags', sourceColumn: 'post_id', targetColumn: 'tag_id' }
 * ```
 */
export function autoJoinTable(field: RelationField): AutoJoinTable | undefined {
  if (field.kind !== 'manyToMany' || field.throughRef !== undefined) return undefined;
  const source = snakeCase(field.model!.meta.name);
  const target = snakeCase(field.target.meta.name);
  const self = source === target;
  return {
    table: field.throughTable!,
    sourceColumn: self ? `from_${source}_id` : `${source}_id`,
    targetColumn: self ? `to_${target}_id` : `${target}_id`,
  };
}

/** A SQL literal of a definer-given value (defaults, check bounds); never of request data. */
export function literal(value: unknown, ops: DialectOps): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (typeof value === 'number' && !Number.isFinite(value)) return undefined;
    return String(value);
  }
  if (typeof value === 'boolean') return ops.booleanLiteral(value);
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`;
  if (value instanceof Date) return literal(value.toISOString(), ops);
  return undefined;
}

/** `DEFAULT …` for a literal default (default functions are filled in by the ORM on create). */
export function defaultClause(field: AnyField, ops: DialectOps): string {
  if (!field.hasDefault || typeof field.default === 'function') return '';
  const sql = literal(field.toDb(field.default, ops), ops);
  return sql === undefined ? '' : ` default ${sql}`;
}

/** `references "table" ("pk") on delete …` of a foreign key or one-to-one. */
export function referenceClause(field: RelationField): string {
  const pk = field.targetPk.column!;
  return `references ${q(field.target.meta.table)} (${q(pk)}) on delete ${ON_DELETE_SQL[field.onDelete!]}`;
}

/** One column's definition; the foreign key reference inline when `inlineFk`. */
export function columnSql(field: AnyField, ops: DialectOps, inlineFk = true): string {
  const name = q(field.column!);
  if (field.kind === 'auto') return `${name} ${ops.types.autoPrimaryKey}`;
  let sql = `${name} ${field.columnType(ops)}`;
  if (!field.nullable) sql += ' not null';
  sql += defaultClause(field, ops);
  if (field.primaryKey) sql += ' primary key';
  else if (field.unique) sql += ' unique';
  if (inlineFk && field instanceof RelationField && field.concrete) sql += ` ${referenceClause(field)}`;
  return sql;
}

function conditionSql(column: string, condition: Condition, ops: DialectOps): string[] {
  const parts: string[] = [];
  const lit = (value: unknown) => {
    const sql = literal(value, ops);
    if (sql === undefined) throw new Error(`a check compares ${column} with ${String(value)}, not a literal`);
    return sql;
  };
  if (condition.eq !== undefined) parts.push(`${column} = ${lit(condition.eq)}`);
  if (condition.ne !== undefined) parts.push(`${column} <> ${lit(condition.ne)}`);
  if (condition.gt !== undefined) parts.push(`${column} > ${lit(condition.gt)}`);
  if (condition.gte !== undefined) parts.push(`${column} >= ${lit(condition.gte)}`);
  if (condition.lt !== undefined) parts.push(`${column} < ${lit(condition.lt)}`);
  if (condition.lte !== undefined) parts.push(`${column} <= ${lit(condition.lte)}`);
  if (condition.in !== undefined) parts.push(`${column} in (${condition.in.map(lit).join(', ')})`);
  if (condition.isNull !== undefined) parts.push(`${column} is ${condition.isNull ? '' : 'not '}null`);
  return parts;
}

/** The SQL expression of a check constraint. */
export function checkSql(model: AnyModel, check: CheckSpec, ops: DialectOps): string {
  if ('rawSql' in check) return check.rawSql;
  const parts: string[] = [];
  for (const [name, condition] of Object.entries(check.where)) {
    const field = model.meta.field(name);
    // SQLite stores decimals as text: compare them as numbers.
    const column = field.kind === 'decimal' ? ops.comparableDecimalSql(q(field.column!)) : q(field.column!);
    parts.push(...conditionSql(column, condition ?? {}, ops));
  }
  return parts.join(' and ');
}

/** Options of {@link createTableStatement}: what a migration changes before the model says it. */
export interface TableStatementOptions {
  /** The table to create (default: the model's); a SQLite rebuild creates `new__<table>` first. */
  table?: string;
  /** Tables whose foreign keys are left out (added later by `foreignKeySql()`). */
  deferred?: ReadonlySet<string>;
  /** The check constraints (default: the model's). */
  checks?: readonly CheckSpec[];
  /** The unique-together sets (default: the model's). */
  uniqueTogether?: readonly (readonly string[])[];
  /** The columns, in order (default: the model's concrete fields). */
  fields?: readonly AnyField[];
}

/**
 * The `create table` statement of a model, without its indexes.
 *
 * @example
 * ```ts
 * createTableStatement(Book, 'sqlite', { table: 'new__library_book' });
 * ```
 */
export function createTableStatement(
  model: AnyModel,
  ops: DialectOps,
  options: TableStatementOptions = {},
): string {
  const meta = model.meta;
  const deferred = options.deferred ?? new Set<string>();
  const lines = (options.fields ?? meta.concreteFields).map((field) =>
    columnSql(
      field,
      ops,
      !(field instanceof RelationField && field.concrete && deferred.has(field.target.meta.table)),
    ),
  );
  for (const set of options.uniqueTogether ?? meta.uniqueTogether)
    lines.push(`unique (${set.map((name) => q(meta.field(name).column!)).join(', ')})`);
  for (const check of options.checks ?? meta.checks)
    lines.push(`constraint ${q(check.name)} check (${checkSql(model, check, ops)})`);
  return `create table ${q(options.table ?? meta.table)} (${lines.join(', ')})`;
}

/** The name of the index `index: true` puts on a column: `<table>_<column>_idx`. */
export function fieldIndexName(table: string, column: string): string {
  return `${table}_${column}_idx`;
}

/**
 * What an index holds for `field`: its column, or for a decimal the value the dialect compares
 * and orders decimals by (on SQLite `cast(col as real)`: an index on the stored text would serve
 * no range filter or ordering).
 */
function indexedValue(field: AnyField, ops: DialectOps | undefined): string {
  const column = q(field.column!);
  return field.kind === 'decimal' && ops ? ops.comparableDecimalSql(column) : column;
}

/**
 * `create index` for a field declared with `index: true`, or `undefined` when it has none; `ops`
 * (the database's `db.ops`) indexes a decimal as the dialect compares it.
 */
export function fieldIndexSql(
  field: AnyField,
  table = field.model!.meta.table,
  ops?: DialectOps,
): string | undefined {
  if (!field.index || field.unique || field.primaryKey || field.column === null) return undefined;
  return `create index ${q(fieldIndexName(table, field.column))} on ${q(table)} (${indexedValue(field, ops)})`;
}

/** `create [unique] index` for one of `model.meta.indexes` (or an index of the same shape). */
export function indexSql(
  model: AnyModel,
  index: { readonly name: string; readonly fields: readonly string[]; readonly unique?: boolean },
  ops?: DialectOps,
): string {
  const meta = model.meta;
  const columns = index.fields.map((name) => {
    const descending = name.startsWith('-');
    const field = meta.field(descending ? name.slice(1) : name);
    // A unique index compares stored values: a decimal's text (stored normalized) is its value.
    const column = index.unique ? q(field.column!) : indexedValue(field, ops);
    return descending ? `${column} desc` : column;
  });
  return `create ${index.unique ? 'unique ' : ''}index ${q(index.name)} on ${q(meta.table)} (${columns.join(', ')})`;
}

/** Every `create index` of a model: its fields' `index: true`, then `meta.indexes`. */
function indexStatements(model: AnyModel, ops: DialectOps): string[] {
  const statements: string[] = [];
  for (const field of model.meta.concreteFields) {
    const sql = fieldIndexSql(field, undefined, ops);
    if (sql) statements.push(sql);
  }
  for (const index of model.meta.indexes) statements.push(indexSql(model, index, ops));
  return statements;
}

/**
 * The DDL of a model's table on `dialect`: `create table` (columns, primary key, unique,
 * foreign keys with `on delete`, unique-together, checks) and its indexes. Foreign keys to
 * tables in `deferred` are left out (add them with `foreignKeySql()` once those exist).
 *
 * @example
 * ```ts
 * createTableSql(Book, 'postgres').statements[0];
 * // 'create table "library_book" ("id" uuid not null primary key, "title" varchar(200) not null, …)'
 * ```
 */
export function createTableSql(
  model: AnyModel,
  dialect: DialectOps | Dialect,
  deferred = new Set<string>(),
): TableDdl {
  const ops = opsOf(dialect);
  return {
    table: model.meta.table,
    statements: [createTableStatement(model, ops, { deferred }), ...indexStatements(model, ops)],
  };
}

/** `alter table … add foreign key …` for a foreign key left out of `create table` (PostgreSQL). */
function foreignKeySql(field: RelationField): string {
  return `alter table ${q(field.model!.meta.table)} add foreign key (${q(field.column!)}) ${referenceClause(field)}`;
}

/** The DDL of a many-to-many's auto join table (`undefined` when it has a `through` model). */
export function joinTableSql(field: RelationField, ops: DialectOps): TableDdl | undefined {
  const join = autoJoinTable(field);
  if (!join) return undefined;
  const sourcePk = field.model!.meta.pk;
  const targetPk = field.targetPk;
  const id = ops.types.autoPrimaryKey;
  const ref = (model: AnyModel, pk: AnyField) =>
    `references ${q(model.meta.table)} (${q(pk.column!)}) on delete cascade`;
  const columns = [
    `${q('id')} ${id}`,
    `${q(join.sourceColumn)} ${sourcePk.columnType(ops)} not null ${ref(field.model!, sourcePk)}`,
    `${q(join.targetColumn)} ${targetPk.columnType(ops)} not null ${ref(field.target, targetPk)}`,
    `unique (${q(join.sourceColumn)}, ${q(join.targetColumn)})`,
  ];
  return { table: join.table, statements: [`create table ${q(join.table)} (${columns.join(', ')})`] };
}

/**
 * The models in an order where each comes after the models its foreign keys point at
 * (when a cycle allows none, the remaining models keep their given order).
 */
export function dependencyOrder(models: readonly AnyModel[]): AnyModel[] {
  const left = [...models];
  const done = new Set<AnyModel>();
  const ordered: AnyModel[] = [];
  while (left.length) {
    const index = left.findIndex((model) =>
      model.meta.forwardRelations.every(
        (field) =>
          !field.concrete || field.target === model || done.has(field.target) || !left.includes(field.target),
      ),
    );
    const [next] = left.splice(index === -1 ? 0 : index, 1);
    done.add(next!);
    ordered.push(next!);
  }
  return ordered;
}

/**
 * Every statement that creates `models`' tables, join tables and indexes, in dependency order.
 * A foreign key that must point forward (a cycle) is added by `alter table` at the end on
 * PostgreSQL; SQLite checks foreign keys only when rows change, so it is declared inline.
 */
export function createTablesSql(models: readonly AnyModel[], dialect: DialectOps | Dialect): string[] {
  const ops = opsOf(dialect);
  const ordered = dependencyOrder(models);
  const statements: string[] = [];
  const alters: string[] = [];
  const created = new Set<string>();
  for (const model of ordered) {
    const deferred = new Set<string>();
    if (!ops.inlineForwardForeignKeys)
      for (const field of model.meta.forwardRelations) {
        const table = field.concrete ? field.target.meta.table : '';
        if (table && table !== model.meta.table && !created.has(table) && models.includes(field.target)) {
          deferred.add(table);
          alters.push(foreignKeySql(field));
        }
      }
    statements.push(...createTableSql(model, ops, deferred).statements);
    created.add(model.meta.table);
  }
  for (const model of ordered)
    for (const field of model.meta.forwardRelations)
      statements.push(...(joinTableSql(field, ops)?.statements ?? []));
  return [...statements, ...alters];
}

/**
 * Creates the tables of `models` (and their auto join tables and indexes) in one transaction,
 * in dependency order.
 *
 * @example
 * ```ts
 * const db = await connect('sqlite::memory:');
 * await createTables(db, [Author, Book, Tag]);
 * ```
 */
export async function createTables(db: Database, models: readonly AnyModel[]): Promise<void> {
  const statements = createTablesSql(models, db.ops);
  await db.transaction(async (tx) => {
    for (const statement of statements) await tx.run(statement);
  });
}
