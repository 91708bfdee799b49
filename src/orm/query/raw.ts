/**
 * `QuerySet.raw(sql, params)`: SQL written by hand, run with bound parameters only, its rows
 * mapped to the model's row keys and JavaScript values by column name.
 */
import type { Database, SqlValue } from '../database.ts';
import type { AnyModel } from '../model.ts';
import { QueryError } from './errors.ts';

/**
 * Runs `text` with `params` (the dialect's placeholders: `?` on SQLite, `$1`… on PostgreSQL) and
 * returns its rows: a column named like one of the model's columns becomes that field's row key
 * and value (`author_id` → `authorId: 1`); other columns are kept as returned. Every column of
 * the model must be selected.
 *
 * @example
 * ```ts
 * await rawRows(db, Book, 'select * from library_book where price > ?', ['10.00']);
 * ```
 */
export async function rawRows(
  db: Database,
  model: AnyModel,
  text: unknown,
  params: unknown,
): Promise<Record<string, unknown>[]> {
  if (Array.isArray(text) && 'raw' in text)
    throw new QueryError(
      'raw: called as a tagged template, which would put values in the SQL text; ' +
        "pass the SQL and an array of parameters: raw('… where id = ?', [id])",
    );
  if (typeof text !== 'string' || text.trim() === '')
    throw new QueryError('raw: the first argument should be the SQL text');
  if (!Array.isArray(params))
    throw new QueryError(
      `raw: parameters should be an array (raw('… where id = ?', [id])), got ${params === null ? 'null' : typeof params}`,
    );
  const rows = await db.all<Record<string, unknown>>(text, params as readonly SqlValue[]);
  const fields = model.meta.concreteFields;
  const columns = new Set(fields.map((f) => f.column));
  return rows.map((raw) => {
    const row: Record<string, unknown> = {};
    for (const field of fields) {
      if (!(field.column! in raw))
        throw new QueryError(
          `raw: the result has no column '${field.column}' (${model.meta.label}.${field.name}); select every column of ${model.meta.table}`,
        );
      row[field.attribute] = field.fromDb(raw[field.column!], db.ops);
    }
    for (const [column, value] of Object.entries(raw)) if (!columns.has(column)) row[column] = value;
    return row;
  });
}
