/**
 * The rows a write on an observed model changes (`observeWrites()`), read in the write's
 * transaction: before it, every column of the rows it will change, locked on PostgreSQL
 * (`select … for update`) so nothing changes them between the reading and the write; after it,
 * the same rows by their keys. Unobserved writes never come here.
 */
import { sql } from 'kysely';
import type { Database } from '../database.ts';
import type { AnyModel } from '../model.ts';
import { updated, type WriteChange } from '../observers.ts';
import type { Clause } from './clause.ts';
import { keyText, toRow } from './hydrate.ts';
import { inList } from './lookup-sql.ts';

/**
 * Every column of `model`'s rows matching `where`, and `keys` (database values of the primary
 * key) when given, as rows, in primary key order; locked until the transaction ends where the
 * database has row locks.
 */
export async function lockedRows(
  tx: Database,
  model: AnyModel,
  where: readonly Clause[],
  keys?: readonly unknown[],
): Promise<Record<string, unknown>[]> {
  const meta = model.meta;
  if (keys?.length === 0) return [];
  let select = tx.kysely
    .selectFrom(meta.table)
    .select(meta.concreteFields.map((field) => sql.ref(field.column!).as(field.column!)));
  for (const clause of where) select = select.where(clause.expression);
  if (keys) select = select.where(inList(sql.ref(meta.pk.column!), keys, tx.ops));
  select = select.orderBy(sql.ref(meta.pk.column!));
  if (tx.ops.rowLocks) select = select.forUpdate();
  const { sql: text, parameters } = select.compile();
  const raw = await tx.all<Record<string, unknown>>(text, parameters);
  return raw.map((row) => toRow(row, meta.concreteFields, tx.ops));
}

/** The database values of the primary keys of `rows`. */
export function keysOf(tx: Database, model: AnyModel, rows: readonly Record<string, unknown>[]): unknown[] {
  const pk = model.meta.pk;
  return rows.map((row) => pk.toDb(row[pk.attribute], tx.ops));
}

/**
 * The updates of the rows `before` (in their order) that `after` holds, matched by primary
 * key; a row missing from `after` (gone meanwhile) is not a change.
 */
export function updateChanges(
  tx: Database,
  model: AnyModel,
  before: readonly Record<string, unknown>[],
  after: readonly Record<string, unknown>[],
): WriteChange[] {
  const pk = model.meta.pk;
  const text = (row: Record<string, unknown>) => keyText(pk, pk.toDb(row[pk.attribute], tx.ops));
  const now = new Map(after.map((row) => [text(row), row]));
  const changes: WriteChange[] = [];
  for (const row of before) {
    const next = now.get(text(row));
    if (next) changes.push(updated(model, row, next));
  }
  return changes;
}
