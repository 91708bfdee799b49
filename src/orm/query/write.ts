/**
 * `getOrCreate` and `updateOrCreate`: find a row by a lookup, or create it — race-safe. Both
 * run in a transaction (a savepoint inside yours); when a concurrent insert of the same row wins
 * (a unique violation), the row is fetched again instead of failing.
 */
import type { Database } from '../database.ts';
import type { AnyModel } from '../model.ts';
import type { Row } from '../types.ts';
import { NotFoundError, QueryError, ValidationError } from './errors.ts';
import type { QuerySet } from './queryset.ts';
import type { Filter } from './types.ts';

/** What `getOrCreate` and `updateOrCreate` return: the row, and whether it was created. */
export interface Written<R> {
  row: R;
  created: boolean;
}

/** The QuerySet with the caller's filters, on the given database (a transaction). */
export type Reopen<M extends AnyModel> = (db: Database) => QuerySet<M>;

/** The values a lookup gives a new row: its keys without a lookup (or with `__exact`). */
function lookupValues(lookup: Record<string, unknown>): Record<string, unknown> {
  if (typeof lookup !== 'object' || lookup === null || Array.isArray(lookup))
    throw new QueryError('getOrCreate: the lookup should be an object, like { email: "ada@example.com" }');
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(lookup)) {
    if (!key.includes('__')) values[key] = value;
    else if (key.endsWith('__exact')) values[key.slice(0, -'__exact'.length)] = value;
  }
  return values;
}

async function find<M extends AnyModel>(set: QuerySet<M>, lookup: Filter<M>): Promise<Row<M> | undefined> {
  try {
    return (await set.get(lookup)) as Row<M>;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof ValidationError && error.errors.some((e) => e.type === 'unique');
}

/**
 * The row matching `lookup`, or a new one made of `lookup`'s plain values and `defaults`.
 * `MultipleFoundError` when several match.
 */
export async function getOrCreate<M extends AnyModel>(
  db: Database,
  open: Reopen<M>,
  lookup: Filter<M>,
  defaults: Record<string, unknown> = {},
): Promise<Written<Row<M>>> {
  const input = { ...lookupValues(lookup as Record<string, unknown>), ...defaults };
  return db.transaction(async (tx) => {
    const found = await find(open(tx), lookup);
    if (found) return { row: found, created: false };
    try {
      return { row: await open(tx).create(input as never), created: true };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const winner = await find(open(tx), lookup);
      if (winner) return { row: winner, created: false };
      throw error;
    }
  });
}

/**
 * The row matching `lookup` updated with `defaults`, or a new one made of `lookup`'s plain
 * values and `defaults`.
 */
export async function updateOrCreate<M extends AnyModel>(
  db: Database,
  open: Reopen<M>,
  lookup: Filter<M>,
  defaults: Record<string, unknown>,
): Promise<Written<Row<M>>> {
  const input = { ...lookupValues(lookup as Record<string, unknown>), ...defaults };
  return db.transaction(async (tx) => {
    const update = async (row: Row<M>): Promise<Written<Row<M>>> => {
      const pk = open(tx).model.meta.pk.attribute;
      const key = { [pk]: (row as Record<string, unknown>)[pk] } as Filter<M>;
      if (Object.values(defaults).some((value) => value !== undefined))
        await open(tx)
          .filter(key)
          .update(defaults as never);
      return { row: (await open(tx).get(key)) as Row<M>, created: false };
    };
    const found = await find(open(tx), lookup);
    if (found) return update(found);
    try {
      return { row: await open(tx).create(input as never), created: true };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const winner = await find(open(tx), lookup);
      if (winner) return update(winner);
      throw error;
    }
  });
}
