/**
 * Turns filter conditions into SQL: every key is checked against the model's meta first
 * (an unknown field or lookup throws `QueryError` naming the valid ones), values are only ever
 * parameters, and identifiers are quoted by Kysely.
 */
import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely';
import type { DialectName } from '../database.ts';
import type { AnyField } from '../fields/field.ts';
import type { AnyModel } from '../model.ts';
import { QueryError } from './errors.ts';
import type { Lookup } from './types.ts';

/** Every lookup, in the order error messages list them. */
export const LOOKUPS: readonly Lookup[] = [
  'exact',
  'iexact',
  'contains',
  'icontains',
  'startsWith',
  'endsWith',
  'in',
  'gt',
  'gte',
  'lt',
  'lte',
  'range',
  'isNull',
];
const LOOKUP_SET = new Set<string>(LOOKUPS);
const TEXT = new Set<string>(['iexact', 'contains', 'icontains', 'startsWith', 'endsWith']);

/** The row keys a model's queries accept (`authorId`, not `author`), for error messages. */
export function rowKeys(model: AnyModel): string[] {
  return model.meta.concreteFields.map((field) => field.attribute);
}

/**
 * The concrete field behind a row key (or a field name, so `author` works as `authorId`);
 * throws `QueryError` listing the valid keys.
 */
export function resolveField(model: AnyModel, key: string, where: string): AnyField {
  const meta = model.meta;
  const field =
    meta.concreteFields.find((f) => f.attribute === key) ?? meta.concreteFields.find((f) => f.name === key);
  if (field) return field;
  throw new QueryError(
    `${where}: ${meta.label} has no field '${key}'; valid names are: ${rowKeys(model).join(', ')}`,
  );
}

/** `title__icontains` → the field and the lookup (`exact` when none is given). */
export function parseKey(model: AnyModel, key: string): { field: AnyField; lookup: Lookup } {
  const at = key.indexOf('__');
  const name = at === -1 ? key : key.slice(0, at);
  const lookup = at === -1 ? 'exact' : key.slice(at + 2);
  const field = resolveField(model, name, 'filter');
  if (!LOOKUP_SET.has(lookup))
    throw new QueryError(
      `filter: '${lookup}' in '${key}' is not a lookup; lookups are: ${LOOKUPS.join(', ')}`,
    );
  if (TEXT.has(lookup) && !['string', 'text', 'email', 'url', 'slug', 'enum'].includes(field.kind))
    throw new QueryError(`filter: '${lookup}' compares text, and '${name}' is a ${field.kind} field`);
  return { field, lookup: lookup as Lookup };
}

/** `%`, `_` and `\` matched literally in a LIKE pattern (with `escape '\'`). */
function likeEscape(value: string): string {
  return value.replaceAll(/[\\%_]/gu, (c) => `\\${c}`);
}

function textValue(value: unknown, key: string): string {
  if (typeof value !== 'string') throw new QueryError(`filter: '${key}' needs a string, got ${typeof value}`);
  return value;
}

/**
 * A column as an expression to order or compare by. SQLite stores decimals as text, which
 * would order `'19.50'` before `'9.90'`: there they are compared as numbers.
 */
export function orderable(field: AnyField, dialect: DialectName): RawBuilder<unknown> {
  const column = sql.ref(field.column!);
  return dialect === 'sqlite' && field.kind === 'decimal' ? sql`cast(${column} as real)` : sql`${column}`;
}

/**
 * A condition's SQL with what the compiled-SQL cache needs: its `shape` (the same for every
 * condition compiling to the same SQL text) and its parameters in the order they appear.
 */
export interface Clause {
  readonly expression: Expression<SqlBool>;
  readonly shape: string;
  readonly params: readonly unknown[];
}

/** One condition's SQL. */
function leaf(model: AnyModel, key: string, value: unknown, dialect: DialectName): Clause {
  const { field, lookup } = parseKey(model, key);
  const params: unknown[] = [];
  const expression = leafSql(field, lookup, key, value, dialect, (v) => {
    params.push(v);
    return sql.val(v);
  });
  const variant = lookup === 'isNull' ? String(value) : value === null ? 'null' : '';
  return {
    expression,
    shape: `${JSON.stringify(field.column)}:${lookup}:${variant}:${params.length}`,
    params,
  };
}

function leafSql(
  field: AnyField,
  lookup: Lookup,
  key: string,
  value: unknown,
  dialect: DialectName,
  val: (v: unknown) => RawBuilder<unknown>,
): RawBuilder<SqlBool> {
  const column = sql.ref(field.column!);
  const param = (v: unknown) => {
    if (v === undefined || (typeof v === 'object' && v !== null && !(v instanceof Date)))
      throw new QueryError(`filter: '${key}' got ${v === undefined ? 'undefined' : 'an object'}`);
    return val(field.toDb(v, dialect));
  };
  const like = (pattern: string, insensitive: boolean) => {
    if (dialect === 'postgres')
      return sql<SqlBool>`${column} ${sql.raw(insensitive ? 'ilike' : 'like')} ${val(pattern)} escape '\\'`;
    // SQLite's LIKE ignores ASCII case: case-sensitive matching compares with instr/substr.
    if (insensitive) return sql<SqlBool>`${column} like ${val(pattern)} escape '\\'`;
    return undefined;
  };
  if (TEXT.has(lookup) && lookup !== 'iexact' && textValue(value, key) === '')
    return sql<SqlBool>`${column} is not null`;
  const numeric = dialect === 'sqlite' && field.kind === 'decimal';
  const ordered = orderable(field, dialect);
  const bound = (v: unknown) => (numeric ? sql`cast(${param(v)} as real)` : param(v));
  switch (lookup) {
    case 'exact':
      return value === null ? sql<SqlBool>`${column} is null` : sql<SqlBool>`${column} = ${param(value)}`;
    case 'iexact':
      return sql<SqlBool>`lower(${column}) = lower(cast(${val(textValue(value, key))} as text))`;
    case 'contains': {
      const text = textValue(value, key);
      return like(`%${likeEscape(text)}%`, false) ?? sql<SqlBool>`instr(${column}, ${val(text)}) > 0`;
    }
    case 'icontains':
      return like(`%${likeEscape(textValue(value, key))}%`, true)!;
    case 'startsWith': {
      const text = textValue(value, key);
      return (
        like(`${likeEscape(text)}%`, false) ??
        sql<SqlBool>`substr(${column}, 1, length(${val(text)})) = ${val(text)}`
      );
    }
    case 'endsWith': {
      const text = textValue(value, key);
      return (
        like(`%${likeEscape(text)}`, false) ??
        sql<SqlBool>`substr(${column}, -length(${val(text)})) = ${val(text)}`
      );
    }
    case 'gt':
      return sql<SqlBool>`${ordered} > ${bound(value)}`;
    case 'gte':
      return sql<SqlBool>`${ordered} >= ${bound(value)}`;
    case 'lt':
      return sql<SqlBool>`${ordered} < ${bound(value)}`;
    case 'lte':
      return sql<SqlBool>`${ordered} <= ${bound(value)}`;
    case 'in': {
      if (!Array.isArray(value)) throw new QueryError(`filter: '${key}' needs an array`);
      if (value.length === 0) return sql<SqlBool>`1 = 0`;
      return sql<SqlBool>`${column} in (${sql.join(value.map(param))})`;
    }
    case 'range': {
      if (!Array.isArray(value) || value.length !== 2)
        throw new QueryError(`filter: '${key}' needs [low, high]`);
      return sql<SqlBool>`${ordered} between ${bound(value[0])} and ${bound(value[1])}`;
    }
    case 'isNull':
      if (typeof value !== 'boolean') throw new QueryError(`filter: '${key}' needs true or false`);
      return value ? sql<SqlBool>`${column} is null` : sql<SqlBool>`${column} is not null`;
  }
}

/**
 * The SQL of one conditions object (all must hold). An `undefined` value throws.
 */
export function conditionsSql(
  model: AnyModel,
  conditions: Record<string, unknown>,
  dialect: DialectName,
): Clause {
  if (typeof conditions !== 'object' || conditions === null || Array.isArray(conditions))
    throw new QueryError('filter: conditions should be an object, like { title: "Dune" }');
  const parts = Object.entries(conditions).map(([key, value]) => {
    // A condition left undefined by mistake must not widen an update or a delete to every row.
    if (value === undefined) throw new QueryError(`filter: '${key}' is undefined; leave the key out instead`);
    return leaf(model, key, value, dialect);
  });
  return combine(parts, 'and');
}

/** Clauses joined by `and` / `or` (`1 = 1` for none). */
export function combine(parts: readonly Clause[], operator: 'and' | 'or'): Clause {
  if (parts.length === 0) return { expression: sql<SqlBool>`1 = 1`, shape: 'true', params: [] };
  if (parts.length === 1) return parts[0]!;
  return {
    expression: sql<SqlBool>`(${sql.join(
      parts.map((p) => p.expression),
      sql.raw(` ${operator} `),
    )})`,
    shape: `(${parts.map((p) => p.shape).join(` ${operator} `)})`,
    params: parts.flatMap((p) => p.params),
  };
}

/** `not (…)`. */
export function negate(clause: Clause): Clause {
  return {
    expression: sql<SqlBool>`not (${clause.expression})`,
    shape: `not (${clause.shape})`,
    params: clause.params,
  };
}
