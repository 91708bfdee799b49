/**
 * SQL assembly from a query's state: the `select` (columns, extras, conditions, order, slice,
 * joined relations) and the statements built around it (`count`, `exists`, `aggregate`,
 * `groupBy`). Each is compiled by Kysely only when its shape is not cached yet (`cache.ts`).
 */
import { type CompiledQuery, type RawBuilder, type SelectQueryBuilder, sql } from 'kysely';
import type { AnyField } from '../fields/field.ts';
import { overSet } from './aggregate-sql.ts';
import type { ResolvedAggregate } from './aggregates.ts';
import { type Compiled, compiled } from './cache.ts';
import { QueryError } from './errors.ts';
import { orderable } from './lookup-sql.ts';
import { pathFrom } from './paths.ts';
import { joinAlias, joinSelected } from './relations.ts';
import {
  type Extra,
  isSliced,
  type Order,
  orderName,
  ordersOf,
  type Source,
  type State,
  shapeOf,
} from './state.ts';

// The table is only known at run time (Kysely<any>).
export type AnySelect = SelectQueryBuilder<any, any, any>;

/** One `order by` term; `selected` is the selected value to order by instead (an alias). */
function orderSql(source: Source, order: Order, selected?: RawBuilder<unknown>): RawBuilder<unknown> {
  const ops = source.db.ops;
  let expression: RawBuilder<unknown>;
  let nullable: boolean;
  if (order.annotation) {
    expression = selected ?? order.annotation.order;
    nullable = order.annotation.nullable;
  } else if (order.path) {
    const { from, last } = pathFrom(order.path, source.model.meta.table);
    expression = selected ?? sql`(select ${orderable(order.field!, ops, last)} from ${from})`;
    nullable = order.field!.nullable || order.path.optional;
  } else {
    expression = orderable(order.field!, ops);
    nullable = order.field!.nullable;
  }
  // PostgreSQL's default (NULL above every value), spelled out so SQLite sorts the same.
  const nulls = nullable ? (order.descending ? ' nulls first' : ' nulls last') : '';
  return sql`${expression} ${sql.raw(order.descending ? 'desc' : 'asc')}${sql.raw(nulls)}`;
}

/** The `select` of `columns` and `extras` (in that order, then the joined relations' columns). */
export function selectOf(
  source: Source,
  columns: readonly AnyField[],
  state: State,
  extras: readonly Extra[] = [],
): AnySelect {
  const { db, model } = source;
  let query = db.kysely
    .selectFrom(model.meta.table)
    .select(columns.map((field) => sql.ref(field.column!).as(field.column!)));
  if (extras.length) query = query.select(extras.map((extra) => extra.expression.as(extra.alias)));
  if (state.distinct) query = query.distinct();
  for (const where of state.where) query = query.where(where.expression);
  for (const term of ordersOf(model, state)) {
    if (!state.distinct) {
      query = query.orderBy(orderSql(source, term));
      continue;
    }
    // select distinct orders by selected values only: by the column, or by the value's alias.
    const extra = extras.find((e) => e.key === orderName(term));
    if (!extra && (term.path || term.annotation || !columns.includes(term.field!)))
      throw new QueryError(
        `distinct: the rows are ordered by '${orderName(term)}', which is not selected; order by selected values (or orderBy() for none)`,
      );
    query = query.orderBy(orderSql(source, term, extra && sql`${sql.ref(extra.alias)}`));
  }
  if (state.limit !== undefined) query = query.limit(sql.lit(state.limit));
  else if (state.offset !== undefined && db.ops.noLimit !== undefined)
    query = query.limit(sql.lit(db.ops.noLimit));
  if (state.offset !== undefined) query = query.offset(state.offset);
  if (state.related.length) query = joinSelected(query, db, model.meta.table, state.related);
  if (state.lock && db.ops.rowLocks) query = locked(query, source, state);
  return query;
}

/** `for update [of …] [nowait | skip locked]`: the rows of the tables `of` names, or of all. */
function locked(query: AnySelect, source: Source, state: State): AnySelect {
  const lock = state.lock!;
  const tables = lock.of.map((name) =>
    name === 'self' ? source.model.meta.table : joinAlias(state.related.findIndex((r) => r.name === name)),
  );
  let locking = tables.length > 0 ? query.forUpdate(tables) : query.forUpdate();
  if (lock.noWait) locking = locking.noWait();
  if (lock.skipLocked) locking = locking.skipLocked();
  return locking;
}

/** The compiled `select` of a state, `wrap` building the statement around it. */
export function compiledSelect(
  source: Source,
  kind: string,
  fields: readonly AnyField[],
  state: State,
  wrap: (select: AnySelect) => { compile(): CompiledQuery } = (select) => select,
  extras: readonly Extra[] = [],
): Compiled {
  if (state.lock) checkLock(source, state);
  const { shape, params } = shapeOf(source, kind, fields, state, extras);
  return compiled(source.model, shape, params, () => wrap(selectOf(source, fields, state, extras)).compile());
}

/** What `selectForUpdate()` needs, checked alike on every database so a query ports. */
function checkLock(source: Source, state: State): void {
  const { of } = state.lock!;
  if (!source.db.inTransaction)
    throw new QueryError(
      'selectForUpdate(): rows are locked until the transaction ends, so the query must run in one: db.transaction(async (tx) => query(tx, Model).selectForUpdate()…)',
    );
  if (state.distinct) throw new QueryError('selectForUpdate() cannot be used with distinct()');
  const names = state.related.map((r) => r.name);
  for (const name of of)
    if (name !== 'self' && !names.includes(name))
      throw new QueryError(
        `selectForUpdate({ of }): '${name}' is not 'self' or a selectRelated path of this query (${names.join(', ') || 'none'})`,
      );
  const nullable = state.related.filter((r) => r.optional && (of.length === 0 || of.includes(r.name)));
  if (nullable.length > 0)
    throw new QueryError(
      `selectForUpdate(): '${nullable[0]!.name}' may be missing (a nullable foreign key, a left join), and its side cannot be locked; pass of: ['self'] (and the paths that are always there)`,
    );
}

/** `select count(*)` of the matching rows (limit and offset apply). */
export function countQuery(source: Source, state: State): Compiled {
  const sliced = isSliced(state);
  return compiledSelect(
    source,
    'count',
    [source.model.meta.pk],
    { ...state, order: sliced ? state.order : [], related: [], distinct: false, lock: undefined },
    (inner) => {
      const matched: AnySelect = sliced ? inner : inner.clearSelect().select(sql`1`.as('one'));
      return source.db.kysely.selectFrom(matched.as('matched')).select(sql`count(*)`.as('n'));
    },
  );
}

/** One key of the first matching row, if any. */
export function existsQuery(source: Source, state: State): Compiled {
  return compiledSelect(source, 'exists', [source.model.meta.pk], {
    ...state,
    order: [],
    limit: Math.min(state.limit ?? 1, 1), // limit(0) matches nothing
    related: [],
    distinct: false,
    lock: undefined,
  });
}

/** One row of aggregates (`resolved`) over the matching rows, each under its alias. */
export function aggregateQuery(
  source: Source,
  state: State,
  resolved: readonly ResolvedAggregate[],
): Compiled {
  const { db, model } = source;
  const ops = db.ops;
  const sliced = isSliced(state);
  const matching: State = {
    ...state,
    order: sliced ? state.order : [],
    related: [],
    prefetch: [],
    distinct: false,
    lock: undefined,
  };
  const fields = model.meta.concreteFields;
  const { shape, params } = shapeOf(source, 'aggregate', fields, matching);
  const values = resolved.map((r) => overSet(model, r, ops, 'volt_m', state.filters));
  const key = `${shape}|${resolved.map((r, i) => `${r.alias}=${values[i]!.shape}`).join(',')}`;
  // The matching rows' parameters come first: the `with` holding them is written first.
  for (const value of values) if (value.params.length) params.push(...value.params);
  return compiled(model, key, params, () => {
    const list = resolved.map((r, i) => sql`${values[i]!.expression} as ${sql.id(r.alias)}`);
    return sql`with ${sql.id('volt_m')} as ${selectOf(source, fields, matching, [])} select ${sql.join(list)}`.compile(
      db.kysely,
    );
  });
}
