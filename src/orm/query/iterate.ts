/**
 * `QuerySet.iterate()`: the matching rows a chunk at a time. Keyset pagination where it can (the
 * condition selecting the rows after the last row of a chunk, in the query's order, the primary
 * key breaking ties), so each chunk is one indexed query and the memory held is one chunk,
 * however many rows match; else the keys first, then the rows by key.
 */

import { type RawBuilder, type SqlBool, sql } from 'kysely';
import type { DialectOps } from '../dialects/ops.ts';
import type { AnyField } from '../fields/field.ts';
import type { Clause } from './clause.ts';
import { conditionsSql } from './conditions.ts';
import { orderable } from './lookup-sql.ts';
import { type Extra, fieldOrder, isSliced, ordersOf, type Source, type State } from './state.ts';

/** One ordering term keyset pagination can follow: a non-null column of the model. */
export interface KeysetOrder {
  readonly field: AnyField;
  readonly descending: boolean;
}

/**
 * `(a > ?) or (a = ? and b > ?) or …`: the rows after `row` in the order of `terms` (`<` for a
 * descending term). `row` holds the JavaScript values of the previous chunk's last row.
 *
 * @example
 * ```ts
 * keyset([{ field: Book.meta.pk, descending: false }], { id: 40 }, db.ops); // "id" > ? with [40]
 * ```
 */
export function keyset(terms: readonly KeysetOrder[], row: Record<string, unknown>, ops: DialectOps): Clause {
  const params: unknown[] = [];
  const value = (field: AnyField): RawBuilder<unknown> => {
    const v = field.toDb(row[field.attribute], ops);
    params.push(v);
    return field.kind === 'decimal' ? ops.comparableDecimal(sql`${sql.val(v)}`) : sql`${sql.val(v)}`;
  };
  const branches = terms.map((term, i) => {
    const equal = terms.slice(0, i).map((t) => sql<SqlBool>`${orderable(t.field, ops)} = ${value(t.field)}`);
    const after = sql<SqlBool>`${orderable(term.field, ops)} ${sql.raw(term.descending ? '<' : '>')} ${value(term.field)}`;
    return sql<SqlBool>`(${sql.join([...equal, after], sql.raw(' and '))})`;
  });
  return {
    expression: sql<SqlBool>`(${sql.join(branches, sql.raw(' or '))})`,
    shape: `keyset(${terms.map((t) => `${JSON.stringify(t.field.column)}${t.descending ? '-' : '+'}`).join(',')})`,
    params,
  };
}

/** Reads the rows of a state (with `extras`, by default its annotations). */
export type RowReader = (
  fields: readonly AnyField[],
  state: State,
  extras?: readonly Extra[],
) => Promise<Record<string, unknown>[]>;

/** The rows of `state`, `size` at a time (see `QuerySet.iterate`). */
export async function* iterateRows(
  source: Source,
  state: State,
  size: number,
  read: RowReader,
): AsyncGenerator<Record<string, unknown>, void, undefined> {
  const { db, model } = source;
  const fields = model.meta.concreteFields;
  const pk = model.meta.pk;
  const order = ordersOf(model, state);
  const plain =
    !isSliced(state) && order.every((o) => o.field && !o.path && !o.annotation && !o.field.nullable);
  if (plain) {
    const terms: KeysetOrder[] = order.map((o) => ({ field: o.field!, descending: o.descending }));
    if (!terms.some((t) => t.field === pk)) terms.push({ field: pk, descending: false });
    const chunkOrder = terms.map((t) => fieldOrder(t.field, t.descending));
    let after: Record<string, unknown> | undefined;
    for (;;) {
      const where = after ? [...state.where, keyset(terms, after, db.ops)] : state.where;
      const rows = await read(fields, { ...state, where, order: chunkOrder, limit: size });
      for (const row of rows) yield row;
      if (rows.length < size) return;
      after = rows.at(-1);
    }
  }
  const keys = await read([pk], { ...state, related: [], prefetch: [] }, []);
  for (let start = 0; start < keys.length; start += size) {
    const ids = keys.slice(start, start + size).map((k) => k[pk.attribute]);
    const where = [conditionsSql(model, { [`${pk.attribute}__in`]: ids }, db.ops)];
    const rows = await read(fields, { ...state, where, order: [], limit: undefined, offset: undefined });
    const byKey = new Map(rows.map((row) => [row[pk.attribute], row]));
    for (const id of ids) {
      const row = byKey.get(id);
      if (row) yield row;
    }
  }
}
