/**
 * Rows → objects: reading the arrays a `select` returns into rows of JavaScript values (the
 * model's columns, then annotations and paths, then the relations joined by `selectRelated`),
 * loading `prefetchRelated` relations onto them, and the rows linked through a join table.
 */

import { sql } from 'kysely';
import type { DialectOps } from '../dialects/ops.ts';
import type { AnyField } from '../fields/field.ts';
import { compiled } from './cache.ts';
import { compiledSelect, selectOf } from './compiler.ts';
import { QueryError } from './errors.ts';
import type { JoinTable } from './join-table.ts';
import { inList, inListParams } from './lookup-sql.ts';
import { resolveField } from './lookups.ts';
import { follow, pathFrom } from './paths.ts';
import { attachSelected, type PrefetchLoader, prefetch } from './relations.ts';
import { type Extra, type Source, type State, shapeOf } from './state.ts';

/** A row from the values of one selected row, in the order of `fields` (the select's first columns). */
export function rowOf(
  fields: readonly AnyField[],
  values: readonly unknown[],
  ops: DialectOps,
): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (let j = 0; j < fields.length; j++) row[fields[j]!.attribute] = fields[j]!.fromDb(values[j], ops);
  return row;
}

/**
 * A primary key value as sent to the database, as text to match returned rows by: an instant
 * to the millisecond (`String(date)` drops them), a uuid in lower case (PostgreSQL returns it so).
 */
export function keyText(pk: AnyField, value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  const text = String(value);
  return pk.kind === 'uuid' ? text.toLowerCase() : text;
}

/** A row from a row object keyed by column. */
export function toRow(
  raw: Record<string, unknown>,
  fields: readonly AnyField[],
  ops: DialectOps,
): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const field of fields) row[field.attribute] = field.fromDb(raw[field.column!], ops);
  return row;
}

/** The state's annotations as selected values. */
export function annotationExtras(_source: Source, state: State): Extra[] {
  return state.annotations.map((a) => ({
    key: a.name,
    alias: a.alias,
    expression: a.expression,
    params: a.params,
    shape: `@${a.name}=${a.shape} as ${a.alias}`,
    read: (raw: unknown) => a.read(raw),
  }));
}

/** What `values(...keys)` selects: the model's fields, and the paths and annotations as extras. */
export function valuesSelection(
  source: Source,
  state: State,
  keys: readonly string[],
): { fields: AnyField[]; extras: Extra[] } {
  const { db, model } = source;
  if (keys.length === 0) throw new QueryError('values: name at least one field');
  const fields: AnyField[] = [];
  const extras: Extra[] = [];
  for (const key of keys) {
    if (typeof key !== 'string') throw new QueryError('values: names should be strings');
    const annotation = state.annotations.find((a) => a.name === key);
    if (annotation) {
      extras.push(...annotationExtras(source, { ...state, annotations: [annotation] }));
      continue;
    }
    if (!key.includes('__')) {
      fields.push(resolveField(model, key, 'values'));
      continue;
    }
    const names = key.split('__');
    const last = names.pop()!;
    const path = follow(model, names, 'values');
    if (path.many)
      throw new QueryError(
        `values: '${key}' crosses a relation holding several rows; aggregate it with annotate() instead`,
      );
    const field = resolveField(path.model, last, 'values');
    const { from, last: alias } = pathFrom(path, model.meta.table);
    extras.push({
      key,
      alias: `volt_v${extras.length}`,
      expression: sql`(select ${sql.ref(`${alias}.${field.column!}`)} from ${from})`,
      shape: `${path.name}.${JSON.stringify(field.column)}`,
      read: (raw) => field.fromDb(raw, db.ops),
    });
  }
  return { fields, extras };
}

/**
 * The rows of a state: one `select`, read as arrays in select order (the model's columns, the
 * extras, the joined columns), then one query per prefetched relation, by `load`.
 */
export async function readRows(
  source: Source,
  fields: readonly AnyField[],
  state: State,
  extras: readonly Extra[],
  load: PrefetchLoader,
): Promise<Record<string, unknown>[]> {
  const { db, model } = source;
  const { sql: text, parameters } = compiledSelect(source, 'select', fields, state, undefined, extras);
  const raw = await db.arrays(text, parameters);
  const ops = db.ops;
  const width = fields.length;
  const rows = new Array<Record<string, unknown>>(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const values = raw[i]!;
    const row = rowOf(fields, values, ops);
    for (let j = 0; j < extras.length; j++) row[extras[j]!.key] = extras[j]!.read(values[width + j]);
    if (state.related.length) attachSelected(row, values, width + extras.length, state.related, ops);
    rows[i] = row;
  }
  if (state.prefetch.length) await prefetch(db, rows, model.meta.pk, state.prefetch, load);
  return rows;
}

/**
 * The rows of a state linked through `join` to the rows keyed `keys` on the other side, each
 * with the key it is linked to: one query joining the join table (renamed in a subquery, so
 * the base table's unqualified names stay unambiguous).
 */
export async function linkedRows(
  source: Source,
  state: State,
  join: JoinTable,
  keys: readonly unknown[],
  load: PrefetchLoader,
): Promise<{ key: unknown; row: Record<string, unknown> }[]> {
  if (keys.length === 0) return [];
  const { db, model } = source;
  const fields = model.meta.concreteFields;
  const ops = db.ops;
  const sourcePk = join.source.meta.pk;
  const values = keys.map((key) => sourcePk.toDb(key, ops));
  const extras = annotationExtras(source, state);
  const { shape, params } = shapeOf(source, 'linked', fields, state, extras);
  const via = `${shape}|via:${JSON.stringify([join.table, join.sourceColumn, join.targetColumn])}`;
  const keyed = inListParams(values, ops);
  const linkedShape = `${via}:${keyed.shape}`;
  const { sql: text, parameters } = compiled(model, linkedShape, [...params, ...keyed.params], () => {
    const side = db.kysely
      .selectFrom(join.table)
      .select([sql.ref(join.sourceColumn).as('volt_source'), sql.ref(join.targetColumn).as('volt_target')]);
    const pk = `${model.meta.table}.${model.meta.pk.column!}`;
    return selectOf(source, fields, state, extras)
      .innerJoin(side.as('volt_via'), (on) =>
        on.on(sql<boolean>`${sql.ref('volt_via.volt_target')} = ${sql.ref(pk)}`),
      )
      .select(sql.ref('volt_via.volt_source').as('volt_source'))
      .where(inList(sql.ref('volt_via.volt_source'), values, ops))
      .compile();
  });
  // Arrays in select order: the model's columns, the annotations, the joined ones, then the
  // source key.
  const raw = await db.arrays(text, parameters);
  const width = fields.length;
  const linked = raw.map((r) => {
    const row = rowOf(fields, r, ops);
    for (let j = 0; j < extras.length; j++) row[extras[j]!.key] = extras[j]!.read(r[width + j]);
    attachSelected(row, r, width + extras.length, state.related, ops);
    return { key: sourcePk.fromDb(r[r.length - 1], ops), row };
  });
  if (state.prefetch.length)
    await prefetch(
      db,
      linked.map((l) => l.row),
      model.meta.pk,
      state.prefetch,
      load,
    );
  return linked;
}
