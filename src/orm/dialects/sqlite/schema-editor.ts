/**
 * SQLite's schema editor. SQLite adds, renames and drops a plain column in place; any other
 * change (a column's type, null, default, unique or foreign key; a check; a unique-together)
 * rebuilds the table: create `new__<table>` with the new definition, copy the rows, drop the
 * old table, rename the new one, recreate the indexes. Foreign keys pointing in keep working
 * because they name the table, which ends up the same; they must be off while the old table is
 * dropped (else its `on delete cascade` would empty the children), which `schemaTransaction`
 * (`db.ops.schemaTransaction`) sees to.
 */

import {
  columnSql,
  createTableStatement,
  defaultClause,
  fieldIndexName,
  fieldIndexSql,
  indexSql,
} from '../../ddl.ts';
import type { AnyField } from '../../fields/field.ts';
import type { CheckSpec } from '../../meta.ts';
import {
  fillValue,
  isConcreteRelation,
  SchemaEditor,
  sameReference,
} from '../../migrations/schema-editor.ts';
import type { AnyModel } from '../../model.ts';
import { quoteIdentifier as q } from '../quote.ts';

/** What a table is made of, for a rebuild. */
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

/** The field names a check refers to. */
function namesIn(check: CheckSpec): string[] {
  return 'where' in check ? Object.keys(check.where) : [];
}

/** An index's field name without its `-` (descending) prefix. */
function bare(name: string): string {
  return name.startsWith('-') ? name.slice(1) : name;
}

/** Changes SQLite tables in place where it can, else by rebuilding them. */
export class SqliteSchemaEditor extends SchemaEditor {
  protected async addColumn(model: AnyModel, field: AnyField, fill: unknown): Promise<void> {
    const table = q(model.meta.table);
    // In place unless the column is unique, or not null without a literal default, or a
    // foreign key with a default (which ADD COLUMN refuses).
    const literalDefault = defaultClause(field, this.ops) !== '';
    const inPlace =
      !field.unique && !(isConcreteRelation(field) && literalDefault) && (field.nullable || literalDefault);
    if (!inPlace) {
      const copies = this.#sameColumns(model, model, new Set([field.name]));
      // Without a fill, the column is left out of the copy: its SQL default (or NULL) applies.
      if (fill !== undefined) copies.set(field.column!, { expression: '?', params: [fill] });
      await this.#rebuild(this.#shape(model), copies);
      return;
    }
    await this.execute(`alter table ${table} add column ${columnSql(field, this.ops)}`);
    if (fill !== undefined) await this.execute(`update ${table} set ${q(field.column!)} = ?`, [fill]);
    const index = fieldIndexSql(field, undefined, this.ops);
    if (index) await this.execute(index);
  }

  protected async dropColumn(model: AnyModel, field: AnyField): Promise<void> {
    const usedElsewhere =
      model.meta.indexes.some((index) => index.fields.some((name) => bare(name) === field.name)) ||
      model.meta.uniqueTogether.some((set) => set.includes(field.name)) ||
      model.meta.checks.some((check) => namesIn(check).includes(field.name) || 'rawSql' in check);
    if (!field.unique && !isConcreteRelation(field) && !usedElsewhere) {
      // SQLite refuses to drop an indexed column: its index goes first.
      if (fieldIndexSql(field))
        await this.execute(`drop index ${q(fieldIndexName(model.meta.table, field.column!))}`);
      await this.execute(`alter table ${q(model.meta.table)} drop column ${q(field.column!)}`);
      return;
    }
    const fields = model.meta.concreteFields.filter((f) => f !== field);
    const indexes: string[] = [];
    for (const f of fields) {
      const sql = fieldIndexSql(f, undefined, this.ops);
      if (sql) indexes.push(sql);
    }
    for (const index of model.meta.indexes)
      if (!index.fields.some((name) => bare(name) === field.name))
        indexes.push(indexSql(model, index, this.ops));
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

  protected async alterColumn(
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
      // Only renamed or (un)indexed: in place.
      const fromIndex = fieldIndexSql(fromField) !== undefined;
      const toIndex = fieldIndexSql(toField) !== undefined;
      if (fromIndex && (!toIndex || renamed))
        await this.execute(`drop index ${q(fieldIndexName(from.meta.table, fromField.column!))}`);
      if (renamed)
        await this.execute(
          `alter table ${q(to.meta.table)} rename column ${q(fromField.column!)} to ${q(toField.column!)}`,
        );
      if (toIndex && (!fromIndex || renamed))
        await this.execute(fieldIndexSql(toField, undefined, this.ops)!);
      await this.syncIndexes(from, to);
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

  async addCheck(model: AnyModel, check: CheckSpec): Promise<void> {
    const checks = [...model.meta.checks.filter((c) => c.name !== check.name), check];
    await this.#rebuild(this.#shape(model, { checks }), this.#sameColumns(model, model));
  }

  async removeCheck(model: AnyModel, check: CheckSpec): Promise<void> {
    const checks = model.meta.checks.filter((c) => c.name !== check.name);
    await this.#rebuild(this.#shape(model, { checks }), this.#sameColumns(model, model));
  }

  protected async changeUniqueTogether(
    model: AnyModel,
    _from: readonly (readonly string[])[],
    to: readonly (readonly string[])[],
  ): Promise<void> {
    await this.#rebuild(this.#shape(model, { uniqueTogether: to }), this.#sameColumns(model, model));
  }

  // ---- table rebuilds --------------------------------------------------------------------

  /** `model`'s table as it is, but for `overrides`. */
  #shape(model: AnyModel, overrides: Partial<TableShape> = {}): TableShape {
    const indexes: string[] = [];
    for (const field of model.meta.concreteFields) {
      const sql = fieldIndexSql(field, undefined, this.ops);
      if (sql) indexes.push(sql);
    }
    for (const index of model.meta.indexes) indexes.push(indexSql(model, index, this.ops));
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
   * Rebuilds the table as `shape` says, filling each new column from `copies` (columns left
   * out get their default). Foreign keys must be off (see `schemaTransaction`).
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
    await this.executeAll(shape.indexes);
  }
}
