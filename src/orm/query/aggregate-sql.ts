/**
 * The SQL of aggregates in each place they appear: one value per row of an annotation (a
 * correlated subquery), one value over the matching rows (`aggregate()`), one per group of a
 * model's own fields (`groupBy`, `grouping.ts` adds the per-row parts of relations); an
 * aggregate's `filter`, and the earlier `filter()` calls restricting a relation's rows.
 */
import { type RawBuilder, sql } from 'kysely';
import { parseExact } from '../decimal.ts';
import type { DialectOps } from '../dialects/ops.ts';
import type { AnyModel } from '../model.ts';
import type { ResolvedAggregate } from './aggregates.ts';
import { type Clause, combine } from './clause.ts';
import { conditionsSql } from './conditions.ts';
import { QueryError } from './errors.ts';
import { combinatorOf } from './expressions.ts';
import type { Operand } from './lookup-sql.ts';
import { JOINS, pathFrom } from './paths.ts';
import type { Lookup } from './types.ts';

const NUMERIC_KINDS = new Set(['auto', 'integer', 'bigint', 'float', 'decimal']);

/** `sum(price)`, `count(distinct x)`, `count(*)` over `qualifier`'s columns. */
function call(
  resolved: ResolvedAggregate,
  ops: DialectOps,
  qualifier: string | undefined,
): RawBuilder<unknown> {
  const field = resolved.field;
  if (!field) {
    const pk = resolved.path ? resolved.path.model.meta.pk : undefined;
    return pk ? callOn(resolved, sql.ref(`${qualifier}.${pk.column!}`), ops) : sql`count(*)`;
  }
  return callOn(resolved, sql.ref(qualifier ? `${qualifier}.${field.column!}` : field.column!), ops);
}

/**
 * The aggregate's function over `value`, a value per row of its field's kind (a column, or a
 * subquery's value): decimals through the dialect's exact aggregates, numbers as SQL does.
 */
export function callOn(
  resolved: ResolvedAggregate,
  value: RawBuilder<unknown>,
  ops: DialectOps,
): RawBuilder<unknown> {
  const { fn, distinct } = resolved.aggregate;
  const field = resolved.field;
  if (fn !== 'count' && field?.kind === 'decimal') return ops.decimalAggregate(fn, value);
  return sql`${sql.raw(fn)}(${sql.raw(distinct ? 'distinct ' : '')}${value})`;
}

/** SQL, the parameters it binds in order, and its cache shape. */
export interface ShapedSql {
  readonly expression: RawBuilder<unknown>;
  readonly params: readonly unknown[];
  readonly shape: string;
}

/** Where the conditions of one aggregate's subquery look for their own `exists` tables. */
const FILTER_JOINS = 'volt_f';

/** `true` when `conditions` name the relation `name` (`{ book__rating__gt: 3 }`), outside a `not`. */
function mentions(conditions: unknown, name: string): boolean {
  const combinator = combinatorOf(conditions);
  if (combinator === 'not') return false;
  if (combinator) return (conditions as { parts: readonly unknown[] }).parts.some((p) => mentions(p, name));
  if (typeof conditions !== 'object' || conditions === null) return false;
  return Object.keys(conditions).some((key) => key === name || key.startsWith(`${name}__`));
}

/**
 * The conditions on the related rows an aggregate over a relation reads, inside its subquery
 * (tables `volt_j1`…, correlated with `outer`): its `filter`, and — as Django's joins do —
 * each earlier `filter()` call naming the relation, whose conditions on it hold on the
 * aggregated row (`Publisher.filter({ book__rating__gt: 3 }).annotate({ n: count('book') })`
 * counts the books rated over 3). `undefined` when there are none.
 */
function relationConditions(
  model: AnyModel,
  resolved: ResolvedAggregate,
  ops: DialectOps,
  earlier: readonly (readonly object[])[],
  outer: string,
): Clause | undefined {
  const path = resolved.path!;
  const bound = { path, prefix: JOINS };
  const parts: Clause[] = [];
  const filter = resolved.aggregate.filter;
  if (filter)
    parts.push(
      conditionsSql(model, filter, ops, undefined, '', {
        outer,
        joins: FILTER_JOINS,
        bound,
        bindNegations: true,
      }),
    );
  if (path.many) {
    const first = path.steps[0]!.name;
    for (const conditions of earlier)
      if (conditions.some((c) => mentions(c, first)))
        parts.push(
          combine(
            conditions.map((c) =>
              conditionsSql(model, c, ops, undefined, '', {
                outer,
                joins: FILTER_JOINS,
                bound,
                bindNegations: false,
              }),
            ),
            'or',
          ),
        );
  }
  return parts.length ? combine(parts, 'and') : undefined;
}

/**
 * An aggregate over a relation for the row of `outer` (`annotate`, or one value per row of a
 * grouped query): a subquery correlated with the row, so two annotations over different
 * relations never multiply each other's rows. `earlier`: the conditions of the `filter()`
 * calls made before (see `relationConditions`).
 */
export function perRow(
  model: AnyModel,
  resolved: ResolvedAggregate,
  ops: DialectOps,
  earlier: readonly (readonly object[])[] = [],
  outer = model.meta.table,
): ShapedSql {
  if (!resolved.path)
    throw new QueryError(
      `annotate: '${resolved.name}' aggregates the row itself; name a relation path, like count('reviews') or avg('reviews__rating')`,
    );
  const { from, last } = pathFrom(resolved.path, outer);
  const where = relationConditions(model, resolved, ops, earlier, outer);
  if (!where)
    return {
      expression: sql`(select ${call(resolved, ops, last)} from ${from})`,
      params: [],
      shape: resolved.shape,
    };
  return {
    expression: sql`(select ${call(resolved, ops, last)} from ${from} and ${where.expression})`,
    params: where.params,
    shape: `${resolved.shape} where ${where.shape}`,
  };
}

/**
 * An annotation as something filters can compare (`reviewCount__gte: 2`). A decimal's `sum`,
 * `avg`, `min` or `max` compares exactly: its value as the dialect compares decimal aggregates,
 * the value given read as a decimal (`'10'`, `'10.00'` or `10`). `params`: what `expression`
 * binds; `valueShape`: its cache shape.
 */
export function annotationOperand(
  expression: RawBuilder<unknown>,
  resolved: ResolvedAggregate,
  ops: DialectOps,
  params: readonly unknown[] = [],
  valueShape = resolved.shape,
): Operand {
  const { fn } = resolved.aggregate;
  const shape = `@${resolved.name}=${valueShape}`;
  const lookups: Lookup[] = ['exact', 'in', 'gt', 'gte', 'lt', 'lte', 'range', 'isNull'];
  const kind =
    fn === 'count'
      ? 'integer'
      : fn === 'avg'
        ? resolved.field!.kind === 'decimal'
          ? 'decimal'
          : 'float'
        : resolved.field!.kind;
  if (fn !== 'count' && resolved.field?.kind === 'decimal') {
    const compared = ops.comparableDecimalAggregate(expression);
    return {
      expression: compared,
      ordered: () => compared,
      shape,
      params,
      kind,
      value: expression,
      lookups,
      text: false,
      numericText: false,
      toDb: (value) => {
        const exact = parseExact(value);
        if (exact === undefined)
          throw new QueryError(
            `filter: '${resolved.name}' compares with a decimal number, got ${String(value)}`,
          );
        return ops.decimalAggregateToDb(exact);
      },
    };
  }
  const numeric = fn === 'count' || fn === 'avg' || NUMERIC_KINDS.has(resolved.field!.kind);
  return {
    expression,
    ordered: () => expression,
    shape,
    params,
    kind,
    lookups,
    text: false,
    numericText: false,
    toDb: (value) => {
      if (numeric) {
        if (typeof value !== 'number' || !Number.isFinite(value))
          throw new QueryError(`filter: '${resolved.name}' compares with a number, got ${String(value)}`);
        return value;
      }
      return resolved.field!.toDb(value, ops);
    },
  };
}

/**
 * The value of an aggregate over the rows of `matched` (a table expression holding the matching
 * rows of the model with all their columns), joining its relation path when it has one, with
 * its `filter` and the `earlier` filters' conditions on that relation.
 */
export function overSet(
  model: AnyModel,
  resolved: ResolvedAggregate,
  ops: DialectOps,
  matched: string,
  earlier: readonly (readonly object[])[],
): ShapedSql {
  const set = sql.table(matched);
  if (!resolved.path) {
    const value = call(resolved, ops, resolved.field ? matched : undefined);
    const filter = resolved.aggregate.filter;
    if (!filter) return { expression: sql`(select ${value} from ${set})`, params: [], shape: resolved.shape };
    const where = conditionsSql(model, filter, ops, undefined, '', {
      outer: matched,
      joins: FILTER_JOINS,
      bound: undefined,
      bindNegations: true,
    });
    return {
      expression: sql`(select ${value} from ${set} where ${where.expression})`,
      params: where.params,
      shape: `${resolved.shape} where ${where.shape}`,
    };
  }
  const { from, last } = pathFrom(resolved.path, matched);
  const where = relationConditions(model, resolved, ops, earlier, matched);
  // pathFrom correlates with `matched`'s row: here that row comes from the set itself.
  if (!where)
    return {
      expression: sql`(select ${call(resolved, ops, last)} from ${set}, ${from})`,
      params: [],
      shape: resolved.shape,
    };
  return {
    expression: sql`(select ${call(resolved, ops, last)} from ${set}, ${from} and ${where.expression})`,
    params: where.params,
    shape: `${resolved.shape} where ${where.shape}`,
  };
}

/**
 * An aggregate of the model's own fields over a group of rows (`groupBy`), with its `filter`
 * (`count(*) filter (where …)`): the group's rows are those of a derived table named like the
 * model's table.
 */
export function ownPerGroup(model: AnyModel, resolved: ResolvedAggregate, ops: DialectOps): ShapedSql {
  const value = call(resolved, ops, undefined);
  const filter = resolved.aggregate.filter;
  if (!filter) return { expression: value, params: [], shape: resolved.shape };
  const where = conditionsSql(model, filter, ops);
  return {
    expression: sql`${value} filter (where ${where.expression})`,
    params: where.params,
    shape: `${resolved.shape} filter ${where.shape}`,
  };
}
