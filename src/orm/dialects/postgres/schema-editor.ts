/**
 * PostgreSQL's schema editor: every change is an `alter table` in place (PostgreSQL's DDL is
 * transactional, so a failed migration leaves nothing behind). Constraints are found by their
 * columns in the catalog, so those named by hand or by an older Volt are dropped too.
 */

import {
  checkSql,
  columnSql,
  defaultClause,
  fieldIndexName,
  fieldIndexSql,
  referenceClause,
} from '../../ddl.ts';
import type { AnyField } from '../../fields/field.ts';
import type { CheckSpec } from '../../meta.ts';
import {
  fillValue,
  isConcreteRelation,
  SchemaEditor,
  sameReference,
  uniqueKey,
} from '../../migrations/schema-editor.ts';
import type { AnyModel } from '../../model.ts';
import { quoteIdentifier as q } from '../quote.ts';

type ConstraintType = 'u' | 'f';

const CONSTRAINT_SUFFIX: Record<ConstraintType, string> = { u: 'key', f: 'fkey' };

/** A copy of a bound field with some of its properties changed (fields are frozen). */
function variant(field: AnyField, changes: Partial<Pick<AnyField, 'nullable'>>): AnyField {
  return Object.freeze(
    Object.assign(Object.create(Object.getPrototypeOf(field)), field, changes),
  ) as AnyField;
}

/** Alters PostgreSQL tables in place (see `migrations/schema-editor.ts` for the shared part). */
export class PostgresSchemaEditor extends SchemaEditor {
  protected async addColumn(model: AnyModel, field: AnyField, fill: unknown): Promise<void> {
    const table = q(model.meta.table);
    const column = q(field.column!);
    if (fill === undefined) {
      await this.execute(`alter table ${table} add column ${columnSql(field, this.ops)}`);
    } else {
      // Added nullable, filled, then made not null.
      await this.execute(
        `alter table ${table} add column ${columnSql(variant(field, { nullable: true }), this.ops)}`,
      );
      await this.execute(`update ${table} set ${column} = $1`, [fill]);
      if (!field.nullable) await this.execute(`alter table ${table} alter column ${column} set not null`);
    }
    const index = fieldIndexSql(field);
    if (index) await this.execute(index);
  }

  protected async dropColumn(model: AnyModel, field: AnyField): Promise<void> {
    // Its index and constraints go with it.
    await this.execute(`alter table ${q(model.meta.table)} drop column ${q(field.column!)}`);
  }

  protected async alterColumn(
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
    await this.syncIndexes(from, to);
  }

  async addCheck(model: AnyModel, check: CheckSpec): Promise<void> {
    await this.execute(
      `alter table ${q(model.meta.table)} add constraint ${q(check.name)} check (${checkSql(model, check, this.ops)})`,
    );
  }

  async removeCheck(model: AnyModel, check: CheckSpec): Promise<void> {
    await this.execute(`alter table ${q(model.meta.table)} drop constraint ${q(check.name)}`);
  }

  protected async changeUniqueTogether(
    model: AnyModel,
    from: readonly (readonly string[])[],
    to: readonly (readonly string[])[],
  ): Promise<void> {
    const before = new Set(from.map(uniqueKey));
    const after = new Set(to.map(uniqueKey));
    const tableName = model.meta.table;
    const columns = (set: readonly string[]) => set.map((name) => model.meta.field(name).column!);
    for (const set of from) {
      if (after.has(uniqueKey(set))) continue;
      for (const name of await this.#constraintNames(tableName, columns(set), 'u'))
        await this.execute(`alter table ${q(tableName)} drop constraint ${q(name)}`);
    }
    for (const set of to) {
      if (before.has(uniqueKey(set))) continue;
      const cols = columns(set);
      await this.execute(
        `alter table ${q(tableName)} add constraint ${q(`${tableName}_${cols.join('_')}_key`)} unique (${cols.map(q).join(', ')})`,
      );
    }
  }

  /**
   * The names of the constraints of `type` over exactly `columns`, from the catalog;
   * PostgreSQL's own naming (`<table>_<columns>_key`/`_fkey`) when none is found (in
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
}
