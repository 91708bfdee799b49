/**
 * Turns filter conditions into SQL: every key is checked against the model's meta first
 * (an unknown field, relation or lookup throws `QueryError` naming the valid ones), values are
 * only ever parameters, and identifiers are quoted by Kysely.
 *
 * A key is a path: `title__icontains`, `created__year__gte`, `author__lastName__startsWith`,
 * `reviews__rating__gte`. Conditions across relations become `exists (select 1 from …)`
 * subqueries, so a book with two matching reviews is still one row; conditions of one
 * conditions object on the same relation path share one subquery (the same related row must
 * match all of them, as in Django).
 */

import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely';
import type { DialectOps } from '../dialects/ops.ts';
import type { AnyField } from '../fields/field.ts';
import type { AnyModel } from '../model.ts';
import { QueryError } from './errors.ts';
import { combinatorOf } from './expressions.ts';
import { concreteField, follow, hop, type Path, pathFrom, unknownName } from './paths.ts';
import type { DatePart, Lookup } from './types.ts';

/** Every lookup, in the order error messages list them. */
const LOOKUPS: readonly Lookup[] = [
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
const TEXT_KINDS = new Set<string>(['string', 'text', 'email', 'url', 'slug', 'enum']);
/** The lookups a computed number (a date part, an annotation) accepts. */
const NUMERIC: readonly Lookup[] = ['exact', 'in', 'gt', 'gte', 'lt', 'lte', 'range'];

/** Date parts, and the field kinds each applies to. */
const DATE_PARTS: readonly DatePart[] = [
  'year',
  'quarter',
  'month',
  'day',
  'weekDay',
  'hour',
  'minute',
  'second',
];
const PART_SET = new Set<string>(DATE_PARTS);
const PARTS_OF: Record<string, readonly DatePart[]> = {
  date: ['year', 'quarter', 'month', 'day', 'weekDay'],
  datetime: DATE_PARTS,
  time: ['hour', 'minute', 'second'],
};

/** The row keys a model's queries accept (`authorId`, not `author`), for error messages. */
function rowKeys(model: AnyModel): string[] {
  return model.meta.concreteFields.map((field) => field.attribute);
}

/**
 * The concrete field behind a row key (or a field name, so `author` works as `authorId`);
 * throws `QueryError` listing the valid keys.
 */
export function resolveField(model: AnyModel, key: string, where: string): AnyField {
  const field = concreteField(model, key);
  if (field) return field;
  throw new QueryError(
    `${where}: ${model.meta.label} has no field '${key}'; valid names are: ${rowKeys(model).join(', ')}`,
  );
}

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
 * A date part of a date, datetime or time column as an integer. Datetimes are instants stored
 * in UTC (SQLite: ISO-8601 text ending in `Z`; PostgreSQL: `timestamptz`, read at UTC so the
 * session's time zone does not matter). `weekDay` counts from 1 (Sunday) to 7 (Saturday).
 */
function datePart(
  column: RawBuilder<unknown>,
  part: DatePart,
  kind: string,
  ops: DialectOps,
): RawBuilder<number> {
  return ops.datePart(column, part, kind);
}

/**
 * A condition's SQL with what the compiled-SQL cache needs: its `shape` (the same for every
 * condition compiling to the same SQL text) and its parameters in the order they appear.
 */
export interface Clause {
  /** Built on first use: only a query whose SQL is not cached yet compiles it. */
  readonly expression: Expression<SqlBool>;
  readonly shape: string;
  readonly params: readonly unknown[];
  /** `true` when at most one row can match: an `=` on the primary key or a unique column. */
  readonly unique?: boolean;
}

/** A clause whose expression is built (by Kysely) only when the query's SQL must be compiled. */
function lazyClause(
  shape: string,
  params: readonly unknown[],
  build: () => Expression<SqlBool>,
  unique = false,
): Clause {
  return new LazyClause(shape, params, build, unique);
}

class LazyClause implements Clause {
  readonly shape: string;
  readonly params: readonly unknown[];
  readonly unique: boolean;
  #build: (() => Expression<SqlBool>) | undefined;
  #built: Expression<SqlBool> | undefined;

  constructor(shape: string, params: readonly unknown[], build: () => Expression<SqlBool>, unique: boolean) {
    this.shape = shape;
    this.params = params;
    this.unique = unique;
    this.#build = build;
  }

  get expression(): Expression<SqlBool> {
    if (this.#build) {
      this.#built = this.#build();
      this.#build = undefined;
    }
    return this.#built!;
  }
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
function fieldOperand(
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
    const expression = datePart(column, part, field.kind, ops);
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

/** One lookup on an operand. */
function leaf(operand: Operand, lookup: Lookup, key: string, value: unknown, ops: DialectOps): Clause {
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

/** What a filter key names, resolved against the models' meta. */
export interface Target {
  /** The relations followed first (none for a column of the model itself). */
  readonly path: Path | undefined;
  /** The column compared; `undefined` when the key tests a relation for rows (`reviews__isNull`). */
  readonly field: AnyField | undefined;
  readonly part: DatePart | undefined;
  readonly lookup: Lookup;
}

function notLookup(name: string, key: string): QueryError {
  return new QueryError(`filter: '${name}' in '${key}' is not a lookup; lookups are: ${LOOKUPS.join(', ')}`);
}

/**
 * Resolves a filter key: the relations it follows, the field, an optional date part and the
 * lookup (`exact` when none is given).
 *
 * @example
 * ```ts
 * const target = resolveKey(Book, 'author__lastName__icontains');
 * target.path?.model; // Author
 * target.field?.name; // 'lastName'
 * ```
 */
export function resolveKey(model: AnyModel, key: string, where = 'filter'): Target {
  let known = targets.get(model);
  if (!known || known.version !== model.meta.registry.version) {
    known = { version: model.meta.registry.version, byKey: new Map() };
    targets.set(model, known);
  }
  const id = `${where}|${key}`;
  let target = known.byKey.get(id);
  if (!target) {
    target = findTarget(model, key, where);
    if (known.byKey.size < 1000) known.byKey.set(id, target);
  }
  return target;
}

/** Resolved keys per model, dropped when its registry changes (a relation may then resolve otherwise). */
const targets = new WeakMap<AnyModel, { version: number; byKey: Map<string, Target> }>();

function findTarget(model: AnyModel, key: string, where: string): Target {
  const segments = key.split('__');
  const names: string[] = [];
  let current = model;
  let i = 0;
  // Follow relations while a name is followed by something that is neither a lookup nor a part.
  while (i < segments.length - 1 && !LOOKUP_SET.has(segments[i + 1]!) && !PART_SET.has(segments[i + 1]!)) {
    const name = segments[i]!;
    if (!hop(current, name)) {
      if (concreteField(current, name)) throw notLookup(segments[i + 1]!, key);
      throw unknownName(current, name, where);
    }
    names.push(name);
    current = hop(current, name)!.model;
    i++;
  }
  const path = names.length ? follow(model, names, where) : undefined;
  const name = segments[i]!;
  const rest = segments.slice(i + 1);
  const field = concreteField(current, name);
  if (!field) {
    const relation = hop(current, name);
    if (!relation) throw unknownName(current, name, where);
    if (rest.length === 1 && rest[0] === 'isNull')
      return {
        path: follow(model, [...names, name], where),
        field: undefined,
        part: undefined,
        lookup: 'isNull',
      };
    const example = concreteField(relation.model, relation.model.meta.pk.attribute)!.attribute;
    throw new QueryError(
      `${where}: '${name}' is a relation of ${current.meta.label}; name a field of ${relation.model.meta.label} ` +
        `after it (like '${[...names, name, example].join('__')}'), or test it with '${[...names, name].join('__')}__isNull'`,
    );
  }
  let part: DatePart | undefined;
  if (rest.length && PART_SET.has(rest[0]!)) {
    part = rest.shift() as DatePart;
    const parts = PARTS_OF[field.kind] ?? [];
    if (!parts.includes(part))
      throw new QueryError(
        `${where}: '${part}' in '${key}' is a date part, and '${name}' is a ${field.kind} field` +
          (parts.length
            ? ` (its parts: ${parts.join(', ')})`
            : ' (date parts apply to date, datetime and time fields)'),
      );
  }
  if (rest.length > 1) throw notLookup(rest.join('__'), key);
  const lookup = rest[0] ?? 'exact';
  if (!LOOKUP_SET.has(lookup)) throw notLookup(lookup, key);
  if (!part && TEXT.has(lookup) && !TEXT_KINDS.has(field.kind))
    throw new QueryError(`filter: '${lookup}' compares text, and '${name}' is a ${field.kind} field`);
  return { path, field, part, lookup: lookup as Lookup };
}

/** Computed values a query may filter on by name (its annotations). */
export type Computed = ReadonlyMap<string, Operand>;

/** `exists (select 1 from <path> where <correlation> and <conditions>)`. */
function existsClause(model: AnyModel, path: Path, leaves: readonly Clause[]): Clause {
  return lazyClause(
    `exists ${path.name}(${leaves.map((l) => l.shape).join(' & ')})`,
    leaves.flatMap((l) => l.params),
    () => {
      const { from } = pathFrom(path, model.meta.table);
      const inner = leaves.length
        ? sql`${from} and ${sql.join(
            leaves.map((l) => l.expression),
            sql.raw(' and '),
          )}`
        : from;
      return sql<SqlBool>`exists (select 1 from ${inner})`;
    },
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The SQL of one conditions object (all must hold), or of an `or`/`and`/`not` tree of them.
 * An `undefined` value throws.
 */
export function conditionsSql(
  model: AnyModel,
  conditions: object,
  ops: DialectOps,
  computed?: Computed,
  prefix = '',
): Clause {
  const combinator = combinatorOf(conditions);
  if (combinator) {
    const parts = (conditions as { parts: readonly object[] }).parts.map((part) =>
      conditionsSql(model, part, ops, computed, prefix),
    );
    return combinator === 'not' ? negate(combine(parts, 'and')) : combine(parts, combinator);
  }
  if (typeof conditions !== 'object' || conditions === null || Array.isArray(conditions))
    throw new QueryError('filter: conditions should be an object, like { title: "Dune" }');
  const clauses: Clause[] = [];
  let groups: Map<string, { path: Path; leaves: Clause[]; at: number }> | undefined;
  for (const [name, value] of Object.entries(conditions)) {
    const key = prefix + name;
    // A condition left undefined by mistake must not widen an update or a delete to every row.
    if (value === undefined) throw new QueryError(`filter: '${key}' is undefined; leave the key out instead`);
    const computedOperand = prefix === '' ? computed?.get(key.split('__')[0]!) : undefined;
    if (computedOperand) {
      const rest = key.split('__').slice(1);
      if (rest.length > 1) throw notLookup(rest.join('__'), key);
      const lookup = rest[0] ?? 'exact';
      if (!LOOKUP_SET.has(lookup)) throw notLookup(lookup, key);
      clauses.push(leaf(computedOperand, lookup as Lookup, key, value, ops));
      continue;
    }
    // `{ author: { lastName: 'x' } }` is `{ author__lastName: 'x' }`.
    if ((isPlainObject(value) || combinatorOf(value)) && !concreteFieldOnPath(model, key)) {
      follow(model, key.split('__'), 'filter');
      clauses.push(conditionsSql(model, value, ops, undefined, `${key}__`));
      continue;
    }
    const target = resolveKey(model, key);
    if (!target.path) {
      clauses.push(
        leaf(fieldOperand(target.field!, ops, undefined, target.part), target.lookup, key, value, ops),
      );
      continue;
    }
    if (!target.field) {
      if (typeof value !== 'boolean') throw new QueryError(`filter: '${key}' needs true or false`);
      const exists = existsClause(model, target.path, []);
      clauses.push(value ? negate(exists) : exists);
      continue;
    }
    const { last } = pathFrom(target.path, model.meta.table);
    const condition = leaf(
      fieldOperand(target.field, ops, last, target.part),
      target.lookup,
      key,
      value,
      ops,
    );
    groups ??= new Map();
    const group = groups.get(target.path.name);
    if (group) group.leaves.push(condition);
    else {
      groups.set(target.path.name, { path: target.path, leaves: [condition], at: clauses.length });
      clauses.push(condition); // replaced by the group's exists below, keeping the key order
    }
  }
  if (groups)
    for (const group of groups.values()) clauses[group.at] = existsClause(model, group.path, group.leaves);
  return combine(clauses, 'and');
}

/** `true` when `key` ends at a column (so an object value there is a mistake, not nesting). */
function concreteFieldOnPath(model: AnyModel, key: string): boolean {
  const names = key.split('__');
  let current = model;
  for (const name of names.slice(0, -1)) {
    const step = hop(current, name);
    if (!step) return false;
    current = step.model;
  }
  const last = names.at(-1)!;
  return hop(current, last) === undefined && concreteField(current, last) !== undefined;
}

/** Clauses joined by `and` / `or` (`1 = 1` for none). */
export function combine(parts: readonly Clause[], operator: 'and' | 'or'): Clause {
  if (parts.length === 0) return lazyClause('true', [], () => sql<SqlBool>`1 = 1`);
  if (parts.length === 1) return parts[0]!;
  return lazyClause(
    `(${parts.map((p) => p.shape).join(` ${operator} `)})`,
    parts.flatMap((p) => p.params),
    () =>
      sql<SqlBool>`(${sql.join(
        parts.map((p) => p.expression),
        sql.raw(` ${operator} `),
      )})`,
    operator === 'and' && parts.some((p) => p.unique),
  );
}

/** `not (…)`. */
export function negate(clause: Clause): Clause {
  return lazyClause(`not (${clause.shape})`, clause.params, () => sql<SqlBool>`not (${clause.expression})`);
}
