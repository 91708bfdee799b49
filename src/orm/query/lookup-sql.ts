/**
 * The SQL of one lookup on one operand (a column, a date part of one, or a computed value):
 * `exact`, `icontains`, `in`, `range`… Values are only ever parameters; identifiers are quoted
 * by Kysely. A first pass (`lookup-forms.ts`) checks the value and decides the form of the SQL
 * and its parameters without building any SQL, so a query whose SQL is cached builds none.
 */

import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely';
import type { DialectOps } from '../dialects/ops.ts';
import type { AnyField } from '../fields/field.ts';
import { type Clause, lazyClause } from './clause.ts';
import { QueryError } from './errors.ts';
import { type Form, prepare } from './lookup-forms.ts';
import { DATE_PART_RULE, fieldRule, type ValueRule } from './lookup-values.ts';
import { NUMERIC, TEXT, TEXT_KINDS } from './lookups.ts';
import type { DatePart, Lookup } from './types.ts';

/** A column, qualified by a table or alias when given. */
function columnRef(field: AnyField, qualifier?: string): RawBuilder<unknown> {
  return sql.ref(qualifier ? `${qualifier}.${field.column!}` : field.column!);
}

/**
 * A column as an expression to order or compare by. SQLite stores decimals as text, which
 * would order `'19.50'` before `'9.90'`: there they are compared as numbers.
 */
export function orderable(field: AnyField, ops: DialectOps, qualifier?: string): RawBuilder<unknown> {
  const column = columnRef(field, qualifier);
  return field.kind === 'decimal' ? ops.comparableDecimal(column) : column;
}

/**
 * `expression in (…)` with database values (no `null`): one parameter per value, or for a list
 * longer than `ops.inListLimit` one parameter holding them all (`ops.inMany`), so a list of any
 * length stays under the databases' parameter limits and keeps one cached shape.
 *
 * @example
 * ```ts
 * db.kysely.deleteFrom('library_book').where(inList(sql.ref('id'), ids, db.ops)).compile();
 * ```
 */
export function inList(
  expression: Expression<unknown>,
  values: readonly unknown[],
  ops: DialectOps,
): RawBuilder<SqlBool> {
  if (values.length === 0) return sql<SqlBool>`1 = 0`;
  if (values.length > ops.inListLimit) return ops.inMany(expression, sql.val(ops.manyValues(values)));
  return sql<SqlBool>`${expression} in (${sql.join(values.map((v) => sql.val(v)))})`;
}

/**
 * What `inList` binds for `values`, and the part of a cache shape naming its SQL: the count of a
 * short list, `many` for a long one (whose SQL is the same whatever its length).
 */
export function inListParams(
  values: readonly unknown[],
  ops: DialectOps,
): { shape: string; params: unknown[] } {
  return values.length > ops.inListLimit
    ? { shape: 'many', params: [ops.manyValues(values)] }
    : { shape: String(values.length), params: [...values] };
}

/**
 * What a lookup compares: a column, a date part of one, or a computed value (an annotation).
 */
export interface Operand {
  /** Compared by `exact`, `in`, `isNull` and the text lookups. */
  readonly expression: RawBuilder<unknown>;
  /** Compared by `gt`, `gte`, `lt`, `lte`, `range` (built only when one of them is used). */
  ordered(): RawBuilder<unknown>;
  /** The cache shape of the operand. */
  readonly shape: string;
  /** The parameters its SQL binds, before the compared values' (none for a column). */
  readonly params?: readonly unknown[];
  /** Its kind (a field kind, or `integer`, `float`, `decimal`), for comparisons with `F()`. */
  readonly kind?: string;
  /** Its value, when `expression` is a form of it made to compare (a decimal aggregate's key). */
  readonly value?: RawBuilder<unknown>;
  /** The lookups it accepts (all when `undefined`). */
  readonly lookups?: readonly Lookup[];
  /** Whether text lookups apply. */
  readonly text: boolean;
  /** A value as sent to the database (when the operand has no `values` rule). */
  toDb(value: unknown): unknown;
  /** SQLite decimals: bound values of order comparisons are cast to numbers too. */
  readonly numericText: boolean;
  /** A column of the queried table that is its primary key or unique. */
  readonly unique?: boolean;
  /** How values are checked and converted; operands without one use `toDb`. */
  readonly values?: ValueRule;
}

const operands = new WeakMap<AnyField, Map<string, Operand>>();

/** The operand of a column (or of one of its date parts); made once per field and use. */
export function fieldOperand(
  field: AnyField,
  ops: DialectOps,
  qualifier: string | undefined,
  part: DatePart | undefined,
): Operand {
  let byUse = operands.get(field);
  if (!byUse) {
    byUse = new Map();
    operands.set(field, byUse);
  }
  const use = `${ops.name}|${qualifier ?? ''}|${part ?? ''}|${part ? (ops.timeZone ?? '') : ''}`;
  let operand = byUse.get(use);
  if (!operand) {
    operand = makeOperand(field, ops, qualifier, part);
    byUse.set(use, operand);
  }
  return operand;
}

function makeOperand(
  field: AnyField,
  ops: DialectOps,
  qualifier: string | undefined,
  part: DatePart | undefined,
): Operand {
  const column = columnRef(field, qualifier);
  const shape =
    qualifier === undefined ? JSON.stringify(field.column) : `${qualifier}.${JSON.stringify(field.column)}`;
  if (part) {
    // A datetime's parts are read in the database's time zone (as Django reads them in the
    // current one), the zone bound before the values; UTC reads need no function.
    const zone = field.kind === 'datetime' && ops.timeZone !== undefined ? ops.timeZone : undefined;
    const zoned = zone === undefined ? undefined : ops.extract(column, part, zone);
    const expression = zoned ? zoned.expression : ops.datePart(column, part, field.kind);
    return {
      expression: expression as RawBuilder<unknown>,
      ordered: () => expression as RawBuilder<unknown>,
      shape: zoned ? `${shape}.${part}@zone` : `${shape}.${part}`,
      ...(zoned ? { params: zoned.params } : {}),
      kind: 'integer',
      lookups: NUMERIC,
      text: false,
      numericText: false,
      toDb: (value) => value,
      values: DATE_PART_RULE,
    };
  }
  return {
    expression: column,
    ordered: () => orderable(field, ops, qualifier),
    shape,
    kind: field.kind,
    text: TEXT_KINDS.has(field.kind),
    numericText: ops.decimalsAsText && field.kind === 'decimal',
    toDb: (value) => field.toDb(value, ops),
    unique: qualifier === undefined && (field.primaryKey || field.unique),
    values: fieldRule(field, ops),
  };
}

/** One lookup on an operand: `leaf(operand, 'gte', 'rating__gte', 4, ops)`. */
export function leaf(operand: Operand, lookup: Lookup, key: string, value: unknown, ops: DialectOps): Clause {
  if (operand.lookups && !operand.lookups.includes(lookup))
    throw new QueryError(
      `filter: '${lookup}' in '${key}' does not apply to a number computed by the database; use one of: ${operand.lookups.join(', ')}`,
    );
  if (TEXT.has(lookup) && !operand.text)
    throw new QueryError(
      `filter: '${lookup}' in '${key}' compares text, and '${key.split('__')[0]}' is not text`,
    );
  // The value is checked and the parameters gathered now; the SQL is built only when the
  // query's SQL is not cached yet.
  const { form, params } = prepare(ruleOf(operand), lookup, key, value, ops);
  // Every form names the operand once, before the values.
  const bound = operand.params?.length ? [...operand.params, ...params] : params;
  return lazyClause(
    `${operand.shape}:${lookup}:${form}:${params.length}`,
    bound,
    () => build(operand, lookup, form, params, ops),
    lookup === 'exact' && form === 'eq' && operand.unique === true,
  );
}

const OPERATORS: Partial<Record<Lookup, string>> = { gt: '>', gte: '>=', lt: '<', lte: '<=' };

/** The operand's rule, or one made of its `toDb` (an annotation, which checks its values there). */
function ruleOf(operand: Operand): ValueRule {
  return (
    operand.values ?? {
      integers: undefined,
      equal: (value) => operand.toDb(value),
      order: (value) => operand.toDb(value),
    }
  );
}

function build(
  operand: Operand,
  lookup: Lookup,
  form: Form,
  params: readonly unknown[],
  ops: DialectOps,
): RawBuilder<SqlBool> {
  const column = operand.expression;
  const value = (i: number) => sql.val(params[i]);
  // SQLite decimals are compared as numbers: their bound values are cast too.
  const bound = (i: number) => (operand.numericText ? sql`cast(${value(i)} as real)` : value(i));
  if (form.startsWith('fold:')) {
    const fold = sql.raw(form.slice('fold:'.length));
    return lookup === 'iexact'
      ? sql<SqlBool>`${fold}(${column}) = ${fold}(cast(${value(0)} as text))`
      : sql<SqlBool>`${fold}(${column}) like ${fold}(cast(${value(0)} as text)) escape '\\'`;
  }
  switch (form) {
    case 'null':
      return sql<SqlBool>`${column} is null`;
    case 'notNull':
      return sql<SqlBool>`${column} is not null`;
    case 'never':
      return sql<SqlBool>`1 = 0`;
    // A comparison decided without the database, with the answer it would give: false (or
    // true) for every value, NULL for a NULL column, so `not` of it still drops NULL rows.
    case 'none':
      return sql<SqlBool>`(case when ${column} is null then null else 1 = 0 end)`;
    case 'all':
      return sql<SqlBool>`(case when ${column} is null then null else 1 = 1 end)`;
    case 'eq':
      return sql<SqlBool>`${column} = ${value(0)}`;
    case 'list':
      return sql<SqlBool>`${column} in (${sql.join(params.map((_, i) => value(i)))})`;
    case 'many':
      return ops.inMany(column, value(0));
    case 'cmp':
      return sql<SqlBool>`${operand.ordered()} ${sql.raw(OPERATORS[lookup]!)} ${bound(0)}`;
    case 'between':
      return sql<SqlBool>`${operand.ordered()} between ${bound(0)} and ${bound(1)}`;
    case 'like':
      return sql<SqlBool>`${column} like ${value(0)} escape '\\'`;
    case 'instr':
      return sql<SqlBool>`instr(${column}, ${value(0)}) > 0`;
    case 'prefix':
      return sql<SqlBool>`substr(${column}, 1, length(${value(0)})) = ${value(1)}`;
    case 'suffix':
      return sql<SqlBool>`substr(${column}, -length(${value(0)})) = ${value(1)}`;
    default:
      throw new Error(`unknown lookup form ${form}`);
  }
}
