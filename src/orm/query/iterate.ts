/**
 * Keyset pagination for `QuerySet.iterate()`: the condition selecting the rows after the last
 * row of a chunk, in the query's order (the primary key breaking ties), so each chunk is one
 * indexed query and the memory held is one chunk, however many rows match.
 */
import { type RawBuilder, type SqlBool, sql } from 'kysely';
import type { DialectName } from '../database.ts';
import type { AnyField } from '../fields/field.ts';
import type { Clause } from './lookups.ts';
import { orderable } from './lookups.ts';

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
 * keyset([{ field: Book.meta.pk, descending: false }], { id: 40 }, 'sqlite'); // "id" > ? with [40]
 * ```
 */
export function keyset(
  terms: readonly KeysetOrder[],
  row: Record<string, unknown>,
  dialect: DialectName,
): Clause {
  const params: unknown[] = [];
  const value = (field: AnyField): RawBuilder<unknown> => {
    const v = field.toDb(row[field.attribute], dialect);
    params.push(v);
    return dialect === 'sqlite' && field.kind === 'decimal'
      ? sql`cast(${sql.val(v)} as real)`
      : sql`${sql.val(v)}`;
  };
  const branches = terms.map((term, i) => {
    const equal = terms
      .slice(0, i)
      .map((t) => sql<SqlBool>`${orderable(t.field, dialect)} = ${value(t.field)}`);
    const after = sql<SqlBool>`${orderable(term.field, dialect)} ${sql.raw(term.descending ? '<' : '>')} ${value(term.field)}`;
    return sql<SqlBool>`(${sql.join([...equal, after], sql.raw(' and '))})`;
  });
  return {
    expression: sql<SqlBool>`(${sql.join(branches, sql.raw(' or '))})`,
    shape: `keyset(${terms.map((t) => `${JSON.stringify(t.field.column)}${t.descending ? '-' : '+'}`).join(',')})`,
    params,
  };
}
