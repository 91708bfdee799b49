/**
 * Condition combinators: `or(…)`, `and(…)` and `not(…)` build a tree of conditions objects that
 * `filter()` and `exclude()` accept anywhere a conditions object goes, nested as deep as needed.
 */
import { QueryError } from './errors.ts';

const KIND: unique symbol = Symbol.for('volt.orm.condition');

/** How a combined condition joins its parts. */
export type Combinator = 'and' | 'or' | 'not';

/**
 * A condition tree node: its parts are conditions objects of type `C` or other nodes.
 * Build one with `or`, `and` or `not`.
 */
export interface Combined<C> {
  readonly [KIND]: Combinator;
  readonly parts: readonly (C | Combined<C>)[];
}

function node<C>(kind: Combinator, parts: readonly (C | Combined<C>)[]): Combined<C> {
  if (parts.length === 0) throw new QueryError(`${kind}(): give at least one condition`);
  for (const part of parts)
    if (typeof part !== 'object' || part === null || Array.isArray(part))
      throw new QueryError(
        `${kind}(): each part should be a conditions object or an or/and/not, got ${String(part)}`,
      );
  return Object.freeze({ [KIND]: kind, parts: Object.freeze([...parts]) });
}

/**
 * Rows matching any of the parts.
 *
 * @example
 * ```ts
 * query(db, Book).filter(or({ status: 'draft' }, { price__lt: '5' }));
 * ```
 */
export function or<C extends object = Record<string, unknown>>(
  ...parts: NoInfer<C | Combined<C>>[]
): Combined<C> {
  return node('or', parts);
}

/**
 * Rows matching every part (what a single conditions object already means; useful inside `or`).
 *
 * @example
 * ```ts
 * query(db, Book).filter(or({ status: 'draft' }, and({ price__lt: '5' }, { pages__gt: 100 })));
 * ```
 */
export function and<C extends object = Record<string, unknown>>(
  ...parts: NoInfer<C | Combined<C>>[]
): Combined<C> {
  return node('and', parts);
}

/**
 * Rows not matching all of the parts: `not(a, b)` is `not (a and b)`.
 *
 * @example
 * ```ts
 * query(db, Book).filter({ status: 'published' }, not({ authorId: 3 }));
 * ```
 */
export function not<C extends object = Record<string, unknown>>(
  ...parts: NoInfer<C | Combined<C>>[]
): Combined<C> {
  return node('not', parts);
}

/** The combinator of `value` when it is a node built by `or`/`and`/`not`, else `undefined`. */
export function combinatorOf(value: unknown): Combinator | undefined {
  return typeof value === 'object' && value !== null ? (value as { [KIND]?: Combinator })[KIND] : undefined;
}
