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

/** One condition's SQL. */
function leaf(model: AnyModel, key: string, value: unknown, dialect: DialectName): RawBuilder<SqlBool> {
  const { field, lookup } = parseKey(model, key);
  const column = sql.ref(field.column!);
  const param = (v: unknown) => {
    if (v === undefined || (typeof v === 'object' && v !== null && !(v instanceof Date)))
      throw new QueryError(`filter: '${key}' got ${v === undefined ? 'undefined' : 'an object'}`);
    return sql.val(field.toDb(v, dialect));
  };
  const like = (pattern: string, insensitive: boolean) => {
    if (dialect === 'postgres')
      return sql<SqlBool>`${column} ${sql.raw(insensitive ? 'ilike' : 'like')} ${pattern} escape '\\'`;
    // SQLite's LIKE ignores ASCII case: case-sensitive matching compares with GLOB-free instr/substr.
    if (insensitive) return sql<SqlBool>`${column} like ${pattern} escape '\\'`;
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
      return sql<SqlBool>`lower(${column}) = lower(cast(${textValue(value, key)} as text))`;
    case 'contains': {
      const text = textValue(value, key);
      return like(`%${likeEscape(text)}%`, false) ?? sql<SqlBool>`instr(${column}, ${text}) > 0`;
    }
    case 'icontains':
      return like(`%${likeEscape(textValue(value, key))}%`, true)!;
    case 'startsWith': {
      const text = textValue(value, key);
      return (
        like(`${likeEscape(text)}%`, false) ?? sql<SqlBool>`substr(${column}, 1, length(${text})) = ${text}`
      );
    }
    case 'endsWith': {
      const text = textValue(value, key);
      return (
        like(`%${likeEscape(text)}`, false) ?? sql<SqlBool>`substr(${column}, -length(${text})) = ${text}`
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
): Expression<SqlBool> {
  if (typeof conditions !== 'object' || conditions === null || Array.isArray(conditions))
    throw new QueryError('filter: conditions should be an object, like { title: "Dune" }');
  const parts = Object.entries(conditions).map(([key, value]) => {
    // A condition left undefined by mistake must not widen an update or a delete to every row.
    if (value === undefined) throw new QueryError(`filter: '${key}' is undefined; leave the key out instead`);
    return leaf(model, key, value, dialect);
  });
  if (parts.length === 0) return sql<SqlBool>`1 = 1`;
  return sql<SqlBool>`(${sql.join(parts, sql` and `)})`;
}
