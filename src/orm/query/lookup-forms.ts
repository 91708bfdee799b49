/**
 * The first pass of a lookup, which builds no SQL: its value checked (`lookup-values.ts`), and
 * the form its SQL takes with its parameters — the form is part of the query's cache shape, so
 * `lookup-sql.ts` builds a form's SQL once. `null` inside `in`, integers past their column's
 * range or with a fraction, and case-insensitive text are decided here.
 */

import type { DialectOps } from '../dialects/ops.ts';
import { textIssue } from '../fields/storable-text.ts';
import { QueryError } from './errors.ts';
import { NEVER, type ValueRule } from './lookup-values.ts';
import type { Lookup } from './types.ts';

/** `%`, `_` and `\` matched literally in a LIKE pattern (with `escape '\'`). */
function likeEscape(value: string): string {
  return value.replaceAll(/[\\%_]/gu, (c) => `\\${c}`);
}

/**
 * The text of a text lookup; a `QueryError` for anything else, and for text no database can
 * compare as it is (a NUL, a lone surrogate: PostgreSQL refuses the first with a driver error).
 */
function textValue(value: unknown, key: string): string {
  if (typeof value !== 'string') throw new QueryError(`filter: '${key}' needs a string, got ${typeof value}`);
  const issue = textIssue(value);
  if (issue) throw new QueryError(`filter: the value for '${key}' is not storable text: ${issue.msg}`);
  return value;
}

/**
 * The SQL a lookup becomes, named in the cache shape: `eq`, `cmp` (`>`, `>=`, `<`, `<=`),
 * `between`, `list` (one parameter per value), `many` (one parameter for all), `null`,
 * `notNull`, `never` (`1 = 0`: an empty `in` list), `none` and `all` (decided without the
 * database: a value the column can never hold, a bound past its range, an `in` list of `null`),
 * `like`, `fold:<fn>` (both sides through a case-folding function), `instr`, `prefix`, `suffix`.
 */
export type Form = string;

/** A lookup's form and parameters. */
export interface Prepared {
  readonly form: Form;
  readonly params: unknown[];
}

/** Refuses what no lookup compares: `undefined`, and objects other than dates. */
function plainValue(value: unknown, key: string): unknown {
  if (value === undefined || (typeof value === 'object' && value !== null && !(value instanceof Date)))
    throw new QueryError(`filter: '${key}' got ${value === undefined ? 'undefined' : 'an object'}`);
  return value;
}

/** A bound of `gt`, `gte`, `lt`, `lte` or `range`: never `null`. */
function orderValue(value: unknown, key: string, rule: ValueRule): unknown {
  if (value === null)
    throw new QueryError(
      `filter: '${key}' compares with null, which is never smaller or greater; use isNull`,
    );
  return rule.order(plainValue(value, key), key);
}

/**
 * A bound of an integer comparison: a fraction rounded to the whole number that keeps the
 * meaning (`n > 2.5` is `n > 2`, `n >= 2.5` is `n >= 3`); past the range, `'none'` (no value
 * compares true) or `'all'` (every value does).
 */
function integerBound(
  lookup: Lookup,
  n: number,
  [low, high]: readonly [number, number],
): number | 'none' | 'all' {
  switch (lookup) {
    case 'gt': {
      const m = Math.floor(n);
      return m >= high ? 'none' : m < low ? 'all' : m || 0;
    }
    case 'gte': {
      const m = Math.ceil(n);
      return m > high ? 'none' : m <= low ? 'all' : m || 0;
    }
    case 'lt': {
      const m = Math.ceil(n);
      return m <= low ? 'none' : m > high ? 'all' : m || 0;
    }
    default: {
      const m = Math.floor(n);
      return m < low ? 'none' : m >= high ? 'all' : m || 0;
    }
  }
}

/**
 * The first pass of a lookup: its value checked by `rule`, the form of its SQL and its
 * parameters. Builds no SQL.
 *
 * @example
 * ```ts
 * prepare(fieldRule(Book.meta.field('pages'), db.ops), 'gt', 'pages__gt', 2 ** 40, db.ops);
 * // { form: 'none', params: [] }: no integer column holds 2^40
 * ```
 */
export function prepare(
  rule: ValueRule,
  lookup: Lookup,
  key: string,
  value: unknown,
  ops: DialectOps,
): Prepared {
  switch (lookup) {
    case 'exact': {
      if (value === null) return { form: 'null', params: [] };
      const db = rule.equal(plainValue(value, key), key);
      return db === NEVER ? { form: 'none', params: [] } : { form: 'eq', params: [db] };
    }
    case 'in':
      return prepareIn(value, key, rule, ops);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const bound = orderValue(value, key, rule);
      if (!rule.integers) return { form: 'cmp', params: [bound] };
      const n = integerBound(lookup, bound as number, rule.integers);
      return typeof n === 'number' ? { form: 'cmp', params: [n] } : { form: n, params: [] };
    }
    case 'range': {
      if (!Array.isArray(value) || value.length !== 2)
        throw new QueryError(`filter: '${key}' needs [low, high]`);
      const low = orderValue(value[0], key, rule);
      const high = orderValue(value[1], key, rule);
      if (!rule.integers) return { form: 'between', params: [low, high] };
      const [min, max] = rule.integers;
      const from = Math.max(Math.ceil(low as number), min);
      const to = Math.min(Math.floor(high as number), max);
      if (from > to) return { form: 'none', params: [] };
      if (from === min && to === max) return { form: 'all', params: [] };
      return { form: 'between', params: [from || 0, to || 0] };
    }
    case 'isNull':
      if (typeof value !== 'boolean') throw new QueryError(`filter: '${key}' needs true or false`);
      return { form: value ? 'null' : 'notNull', params: [] };
    case 'iexact': {
      const text = textValue(value, key);
      const fold = ops.caseFolding(text);
      return fold ? { form: `fold:${fold}`, params: [text] } : { form: 'like', params: [likeEscape(text)] };
    }
    case 'icontains': {
      const text = textValue(value, key);
      if (text === '') return { form: 'notNull', params: [] };
      const fold = ops.caseFolding(text);
      return { form: fold ? `fold:${fold}` : 'like', params: [`%${likeEscape(text)}%`] };
    }
    case 'contains':
    case 'startsWith':
    case 'endsWith': {
      const text = textValue(value, key);
      if (text === '') return { form: 'notNull', params: [] };
      // SQLite's `like` ignores ASCII case: there a case-sensitive match compares with instr/substr.
      if (ops.likeIgnoresCase)
        return lookup === 'contains'
          ? { form: 'instr', params: [text] }
          : { form: lookup === 'startsWith' ? 'prefix' : 'suffix', params: [text, text] };
      const escaped = likeEscape(text);
      const pattern =
        lookup === 'contains' ? `%${escaped}%` : lookup === 'startsWith' ? `${escaped}%` : `%${escaped}`;
      return { form: 'like', params: [pattern] };
    }
  }
}

/**
 * `in`: `null` is dropped (NULL equals nothing, as in Django), as are a value the column can
 * never hold and repeats; a list left with nothing matches nothing, and its negation keeps the
 * rows with a value (for `[null]`, as `exclude({ x: null })` does). An empty list is `1 = 0`.
 * A long list is bound as one parameter.
 */
function prepareIn(value: unknown, key: string, rule: ValueRule, ops: DialectOps): Prepared {
  if (!Array.isArray(value)) throw new QueryError(`filter: '${key}' needs an array`);
  const kept: unknown[] = [];
  const seen = new Set<unknown>();
  for (const item of value) {
    if (item === null) continue;
    const db = rule.equal(plainValue(item, key), key);
    if (db === NEVER || seen.has(db)) continue;
    seen.add(db);
    kept.push(db);
  }
  if (kept.length === 0) return { form: value.length > 0 ? 'none' : 'never', params: [] };
  if (kept.length > ops.inListLimit) return { form: 'many', params: [ops.manyValues(kept)] };
  return { form: 'list', params: kept };
}
