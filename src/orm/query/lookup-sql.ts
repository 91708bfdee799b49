/**
 * The SQL of one lookup on one operand (a column, a date part of one, or a computed value):
 * `exact`, `icontains`, `in`, `range`… Values are only ever parameters; identifiers are quoted
 * by Kysely. A first pass only checks the value and gathers the parameters, so a query whose
 * SQL is cached builds no SQL at all.
 */

import { type RawBuilder, type SqlBool, sql } from 'kysely';
import type { DialectOps } from '../dialects/ops.ts';
import type { AnyField } from '../fields/field.ts';
import { type Clause, lazyClause } from './clause.ts';
import { QueryError } from './errors.ts';
import { NUMERIC, TEXT, TEXT_KINDS } from './lookups.ts';
import type { DatePart, Lookup } from './types.ts';

/** `%`, `_` and `\` matched literally in a LIKE pattern (with `escape '\'`). */
function likeEscape(value: string): string {
  return value.replaceAll(/[\\%_]/gu, (c) => `\\${c}`);
}

function textValue(value: unknown, key: string): string {
  if (typeof value !== 'string') throw new QueryError(`filter: '${key}' needs a string, got ${typeof value}`);
  return value;
}

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
 * What a lookup compares: a column, a date part of one, or a computed value (an annotation).
 */
export interface Operand {
  /** Compared by `exact`, `in`, `isNull` and the text lookups. */
  readonly expression: RawBuilder<unknown>;
  /** Compared by `gt`, `gte`, `lt`, `lte`, `range` (built only when one of them is used). */
  ordered(): RawBuilder<unknown>;
  /** The cache shape of the operand. */
  readonly shape: string;
  /** The lookups it accepts (all when `undefined`). */
  readonly lookups?: readonly Lookup[];
  /** Whether text lookups apply. */
  readonly text: boolean;
  /** A value as sent to the database. */
  toDb(value: unknown): unknown;
  /** SQLite decimals: bound values of order comparisons are cast to numbers too. */
  readonly numericText: boolean;
  /** A column of the queried table that is its primary key or unique. */
  readonly unique?: boolean;
  /** `false` for a value the column can never hold: `=` and `in` then match no row. */
  holds?(value: unknown): boolean;
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
  const use = `${ops.name}|${qualifier ?? ''}|${part ?? ''}`;
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
  const shape = JSON.stringify(field.column);
  if (part) {
    const expression = ops.datePart(column, part, field.kind);
    return {
      expression,
      ordered: () => expression,
      shape: `${shape}.${part}`,
      lookups: NUMERIC,
      text: false,
      numericText: false,
      toDb: (value) => {
        if (!Number.isInteger(value))
          throw new QueryError(`filter: a ${part} is a whole number, got ${String(value)}`);
        return value;
      },
    };
  }
  return {
    expression: column,
    ordered: () => orderable(field, ops, qualifier),
    shape,
    text: TEXT_KINDS.has(field.kind),
    numericText: ops.decimalsAsText && field.kind === 'decimal',
    toDb: (value) => field.toDb(value, ops),
    unique: qualifier === undefined && (field.primaryKey || field.unique),
    holds: (value) => field.canHold(value),
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
  // A first pass checks the value and gathers the parameters without building any SQL; the
  // expression is built by a second pass only when the query's SQL is not cached yet.
  const params: unknown[] = [];
  leafSql(operand, lookup, key, value, ops, collecting(params));
  const variant = lookup === 'isNull' ? String(value) : value === null ? 'null' : '';
  return lazyClause(
    `${operand.shape}:${lookup}:${variant}:${params.length}`,
    params,
    () => leafSql(operand, lookup, key, value, ops, KYSELY) as RawBuilder<SqlBool>,
    lookup === 'exact' && value !== null && operand.unique === true,
  );
}

/** What `leafSql` writes SQL with: Kysely's `sql`, or a stand-in that only gathers parameters. */
interface SqlKit {
  readonly building: boolean;
  readonly sql: (strings: TemplateStringsArray, ...values: unknown[]) => any;
  val(value: unknown): any;
  join(values: readonly unknown[]): any;
  raw(text: string): any;
}

const KYSELY: SqlKit = {
  building: true,
  sql: (strings, ...values) => sql(strings, ...values),
  val: (value) => sql.val(value),
  join: (values) => sql.join(values),
  raw: (text) => sql.raw(text),
};

const NOTHING = Symbol('not built');

function collecting(params: unknown[]): SqlKit {
  return {
    building: false,
    sql: () => NOTHING,
    val: (value) => {
      params.push(value);
      return NOTHING;
    },
    join: () => NOTHING,
    raw: () => NOTHING,
  };
}

function leafSql(
  operand: Operand,
  lookup: Lookup,
  key: string,
  value: unknown,
  ops: DialectOps,
  kit: SqlKit,
): unknown {
  const { sql, val } = kit;
  const column = kit.building ? operand.expression : NOTHING;
  const param = (v: unknown) => {
    if (v === undefined || (typeof v === 'object' && v !== null && !(v instanceof Date)))
      throw new QueryError(`filter: '${key}' got ${v === undefined ? 'undefined' : 'an object'}`);
    return val(operand.toDb(v));
  };
  const like = (pattern: string, insensitive: boolean) => {
    // undefined: `like` cannot match this way (SQLite's ignores ASCII case): instr/substr below.
    const operator = ops.likeOperator(insensitive);
    if (operator === undefined) return undefined;
    return sql`${column} ${kit.raw(operator)} ${val(pattern)} escape '\\'`;
  };
  if (TEXT.has(lookup) && lookup !== 'iexact' && textValue(value, key) === '')
    return sql`${column} is not null`;
  const ordered =
    TEXT.has(lookup) || lookup === 'exact' || lookup === 'in' || lookup === 'isNull' || !kit.building
      ? column
      : operand.ordered();
  const bound = (v: unknown) => (operand.numericText ? sql`cast(${param(v)} as real)` : param(v));
  switch (lookup) {
    case 'exact':
      if (value === null) return sql`${column} is null`;
      return operand.holds?.(value) === false ? sql`1 = 0` : sql`${column} = ${param(value)}`;
    case 'iexact':
      return sql`lower(${column}) = lower(cast(${val(textValue(value, key))} as text))`;
    case 'contains': {
      const text = textValue(value, key);
      return like(`%${likeEscape(text)}%`, false) ?? sql`instr(${column}, ${val(text)}) > 0`;
    }
    case 'icontains':
      return like(`%${likeEscape(textValue(value, key))}%`, true)!;
    case 'startsWith': {
      const text = textValue(value, key);
      return (
        like(`${likeEscape(text)}%`, false) ?? sql`substr(${column}, 1, length(${val(text)})) = ${val(text)}`
      );
    }
    case 'endsWith': {
      const text = textValue(value, key);
      return (
        like(`%${likeEscape(text)}`, false) ?? sql`substr(${column}, -length(${val(text)})) = ${val(text)}`
      );
    }
    case 'gt':
      return sql`${ordered} > ${bound(value)}`;
    case 'gte':
      return sql`${ordered} >= ${bound(value)}`;
    case 'lt':
      return sql`${ordered} < ${bound(value)}`;
    case 'lte':
      return sql`${ordered} <= ${bound(value)}`;
    case 'in': {
      if (!Array.isArray(value)) throw new QueryError(`filter: '${key}' needs an array`);
      const possible = operand.holds ? value.filter((v) => v === null || operand.holds!(v)) : value;
      if (possible.length === 0) return sql`1 = 0`;
      return sql`${column} in (${kit.join(possible.map(param))})`;
    }
    case 'range': {
      if (!Array.isArray(value) || value.length !== 2)
        throw new QueryError(`filter: '${key}' needs [low, high]`);
      return sql`${ordered} between ${bound(value[0])} and ${bound(value[1])}`;
    }
    case 'isNull':
      if (typeof value !== 'boolean') throw new QueryError(`filter: '${key}' needs true or false`);
      return value ? sql`${column} is null` : sql`${column} is not null`;
  }
}
