/**
 * A `get()` that answers `undefined` for a missing row: the user, token and session lookups
 * by key all want "no such row" as a value, not as an error.
 */
import { NotFoundError } from '../orm/index.ts';

/**
 * What `lookup` (a query's `get()`) resolves to, or `undefined` when it found no row
 * (`NotFoundError`); any other error is thrown as it is.
 *
 * @example
 * ```ts
 * const row = await orUndefined(query(db, Token).get({ keyHash }));
 * ```
 */
export async function orUndefined<T>(lookup: Promise<T>): Promise<T | undefined> {
  try {
    return await lookup;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}
