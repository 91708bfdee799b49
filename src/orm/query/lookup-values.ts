/**
 * The values a lookup takes, checked once per value before any SQL is built: a value of the
 * wrong type is a `QueryError` naming the key (`filter: 'rating__gt' needs a number, got
 * 'abc'`), never a driver error or a silent comparison of garbage. Integers (and date parts)
 * are compared as numbers: `lookup-sql.ts` rounds a fraction to the whole numbers around it and
 * decides a bound past the column's range without asking the database.
 */

import type { DialectOps } from '../dialects/ops.ts';
import type { AnyField } from '../fields/field.ts';
import { QueryError } from './errors.ts';
import { TEXT_KINDS } from './lookups.ts';

/** What `ValueRule.equal` returns for a value the operand can never hold (`exact`/`in` then match no row). */
export const NEVER: unique symbol = Symbol('never held');

/** How the values of one operand are checked and sent to the database. */
export interface ValueRule {
  /** The whole numbers the operand holds, when it holds whole numbers only. */
  readonly integers: readonly [number, number] | undefined;
  /** A value of `exact` or `in`, as sent to the database, or `NEVER`; throws for a wrong type. */
  equal(value: unknown, key: string): unknown;
  /**
   * A value of `gt`, `gte`, `lt`, `lte` or `range`: a finite number when the operand holds
   * integers (rounded and bounded by the caller), else the value as sent to the database.
   */
  order(value: unknown, key: string): unknown;
}

const MAX = Number.MAX_SAFE_INTEGER;
/**
 * The whole numbers a column of each integer kind holds: a PostgreSQL `integer`, and for 64-bit
 * columns what a JS number holds exactly (Volt reads them as numbers).
 */
const INTEGER_RANGES: Record<string, readonly [number, number]> = {
  integer: [-2147483648, 2147483647],
  bigint: [-MAX, MAX],
  auto: [-MAX, MAX],
};
/** A date part is compared as a PostgreSQL `integer`. */
const PART_RANGE = INTEGER_RANGES.integer!;

const NUMERIC_TEXT = /^-?\d+(\.\d+)?$/u;
const FLOAT_TEXT = /^-?\d+(\.\d+)?(e[-+]?\d+)?$/iu;

/** A value as an error message shows it. */
function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : value.toISOString();
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** The error of a value of the wrong type. */
function wrongValue(key: string, needs: string, value: unknown): QueryError {
  return new QueryError(`filter: '${key}' needs ${needs}, got ${shown(value)}`);
}

/** A finite number from a number or numeric text; `undefined` otherwise. */
function finite(value: unknown, text: RegExp): number | undefined {
  const n = typeof value === 'string' && text.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** The field whose values a column holds: a foreign key's target primary key (through keys of keys). */
function valueField(field: AnyField): AnyField {
  let current = field;
  for (let hops = 0; hops < 8 && (current.kind === 'foreignKey' || current.kind === 'oneToOne'); hops++)
    current = (current as AnyField & { targetPk: AnyField }).targetPk;
  return current;
}

/** The rule of a column's values (a foreign key's are its target key's). */
export function fieldRule(field: AnyField, ops: DialectOps): ValueRule {
  const base = valueField(field);
  const toDb = (value: unknown) => field.toDb(value, ops);
  const integers = INTEGER_RANGES[base.kind];
  if (integers)
    return {
      integers,
      // Text that is no number (an id from a URL) can never be held: no row, as for 1e20 or 2.5.
      equal: (value, key) => {
        if (typeof value !== 'number' && typeof value !== 'string')
          throw wrongValue(key, 'a whole number', value);
        return base.canHold(value) ? toDb(value) : NEVER;
      },
      order: (value, key) => finite(value, NUMERIC_TEXT) ?? throwWrong(key, 'a number', value),
    };
  const simple = (check: (value: unknown) => unknown, needs: string): ValueRule => {
    const accept = (value: unknown, key: string) => {
      const checked = check(value);
      if (checked === undefined) throw wrongValue(key, needs, value);
      return toDb(checked);
    };
    return { integers: undefined, equal: accept, order: accept };
  };
  switch (base.kind) {
    case 'float':
      return simple((value) => finite(value, FLOAT_TEXT), 'a finite number');
    case 'decimal': {
      // The field reads any spelling of a number ('12.3400', 1234e-2) as its exact value; text
      // that is no number is refused by its toDb.
      const exact = (value: unknown, key: string) => {
        if (typeof value !== 'string' && (typeof value !== 'number' || !Number.isFinite(value)))
          throw wrongValue(key, 'a decimal number, such as "19.90"', value);
        try {
          return toDb(value);
        } catch {
          throw wrongValue(key, 'a decimal number, such as "19.90"', value);
        }
      };
      return {
        integers: undefined,
        equal: (value, key) => {
          const sent = exact(value, key);
          return base.canHold(value) ? sent : NEVER;
        },
        order: exact,
      };
    }
    case 'json':
      // Compared as the JSON text it is stored as; objects are refused by the caller.
      return { integers: undefined, equal: (value) => toDb(value), order: (value) => toDb(value) };
    case 'uuid':
    case 'date':
    case 'time':
    case 'datetime':
    case 'boolean':
      return checkedRule(base, toDb);
    default:
      if (TEXT_KINDS.has(base.kind))
        return simple((value) => (typeof value === 'string' ? value : undefined), 'a string');
      return { integers: undefined, equal: (value) => toDb(value), order: (value) => toDb(value) };
  }
}

/**
 * A kind whose values are exactly what the field accepts as input (`field.check`): a UUID, a
 * `'YYYY-MM-DD'` date, a time, a `Date` or ISO-8601 text with an offset, a boolean. A value
 * outside the field's `choices` is still compared (it matches no row).
 */
function checkedRule(field: AnyField, toDb: (value: unknown) => unknown): ValueRule {
  const accept = (value: unknown, key: string) => {
    const issue = field.check(value).find((i) => i.type !== 'enum');
    if (issue) throw new QueryError(`filter: '${key}': ${issue.msg}, got ${shown(value)}`);
    return toDb(value);
  };
  return { integers: undefined, equal: accept, order: accept };
}

function throwWrong(key: string, needs: string, value: unknown): never {
  throw wrongValue(key, needs, value);
}

/** The rule of a date part (`created__year`): a whole number. */
export const DATE_PART_RULE: ValueRule = {
  integers: PART_RANGE,
  equal: (value, key) => {
    if (typeof value !== 'number' || Number.isNaN(value)) throw wrongValue(key, 'a whole number', value);
    return Number.isInteger(value) && value >= PART_RANGE[0] && value <= PART_RANGE[1] ? value : NEVER;
  },
  order: (value, key) =>
    typeof value === 'number' && Number.isFinite(value) ? value : throwWrong(key, 'a number', value),
};
