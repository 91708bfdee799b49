/**
 * `groupBy(...keys).aggregate(spec, { having })`: one row per group of the matching rows. Keys
 * are row keys, paths across foreign keys (`customer__country`) or annotations (`month`, from
 * `annotate({ month: trunc('placedAt', 'month') })`).
 *
 * The matching rows are read first, with their keys, into a derived table named like the
 * model's table, then grouped:
 *
 *   select k0, k1, count(*), sum(p0) … from (select <row>, <key> as k0, …, <per-row part> as p0
 *   from <table> where …) as <table> group by k0, k1 having … order by k0, k1
 *
 * An aggregate over a relation holding several rows is never a join (which would repeat each
 * row once per related row, so `count()` beside `sum('lines__amount')` would count lines): each
 * row's part is a subquery (its lines' sum, count, min or max), and the group adds them up, or
 * takes their min or max; an average divides the summed sums by the summed counts.
 */
import { type RawBuilder, sql } from 'kysely';
import type { DialectOps } from '../dialects/ops.ts';
import type { AnyModel } from '../model.ts';
import { annotationOperand, callOn, ownPerGroup, perRow, type ShapedSql } from './aggregate-sql.ts';
import { type ResolvedAggregate, resolveAggregates, variant } from './aggregates.ts';
import type { Annotation } from './annotations.ts';
import { type Compiled, compiled } from './cache.ts';
import { selectOf } from './compiler.ts';
import { type Computed, conditionsSql } from './conditions.ts';
import { QueryError } from './errors.ts';
import { columnAt } from './paths.ts';
import type { Extra, Source, State } from './state.ts';

/** A key of a grouped query: its value for each matching row, and how it reads and sorts. */
export interface GroupKey {
  /** The name the caller gave (a row key, a path, an annotation). */
  readonly name: string;
  readonly alias: string;
  readonly expression: RawBuilder<unknown>;
  readonly params: readonly unknown[];
  readonly shape: string;
  readonly nullable: boolean;
  /** The key's selected value as `order by` sorts it (SQLite decimals as numbers). */
  sorted(value: RawBuilder<unknown>): RawBuilder<unknown>;
  read(raw: unknown): unknown;
}

/** The keys of `groupBy(...names)`, checked against the model and the annotations. */
export function groupKeys(
  model: AnyModel,
  annotations: readonly Annotation[],
  names: readonly unknown[],
  ops: DialectOps,
): GroupKey[] {
  if (names.length === 0) throw new QueryError('groupBy: name at least one field');
  return names.map((name, i): GroupKey => {
    if (typeof name !== 'string') throw new QueryError('groupBy: names should be strings');
    const alias = `volt_k${i}`;
    const annotation = annotations.find((a) => a.name === name);
    if (annotation)
      return {
        name,
        alias,
        expression: annotation.expression,
        params: annotation.params,
        shape: `@${name}=${annotation.shape}`,
        nullable: annotation.nullable,
        sorted: (value) => value,
        read: (raw) => annotation.read(raw),
      };
    const { field, expression, shape, nullable } = columnAt(model, name, 'groupBy');
    return {
      name,
      alias,
      expression,
      params: [],
      shape,
      nullable,
      sorted: (value) => (field.kind === 'decimal' ? ops.comparableDecimal(value) : value),
      read: (raw) => field.fromDb(raw, ops),
    };
  });
}

/** A per-row part of a grouped aggregate: a subquery for each matching row. */
interface Part extends ShapedSql {
  readonly alias: string;
}

/**
 * The value of `resolved` over a group, its per-row parts added to `parts`; `earlier`: the
 * conditions of the query's `filter()` calls (an aggregate over a relation they name reads the
 * related rows meeting them).
 */
function perGroup(
  model: AnyModel,
  resolved: ResolvedAggregate,
  ops: DialectOps,
  earlier: readonly (readonly object[])[],
  parts: Part[],
): ShapedSql {
  const path = resolved.path;
  if (!path) return ownPerGroup(model, resolved, ops);
  const part = (per: ResolvedAggregate): RawBuilder<unknown> => {
    const alias = `volt_p${parts.length}`;
    parts.push({ alias, ...perRow(model, per, ops, earlier) });
    return sql.ref(alias);
  };
  const shaped = (expression: RawBuilder<unknown>, from: number): ShapedSql => ({
    expression,
    params: [],
    shape: `${resolved.shape}[${parts
      .slice(from)
      .map((p) => p.alias)
      .join(',')}]`,
  });
  const from = parts.length;
  const { fn } = resolved.aggregate;
  if (!path.many) {
    // At most one related row: its value, aggregated over the group like a column's.
    const field = resolved.field ?? path.model.meta.pk;
    const value = part(variant(resolved, 'max', field));
    return shaped(callOn({ ...resolved, field }, value, ops), from);
  }
  if (resolved.aggregate.distinct)
    throw new QueryError(
      `groupBy: '${resolved.name}' counts distinct values across '${path.name}', which holds several rows per ${model.meta.label}; ` +
        'distinct values cannot be added up row by row (count them with aggregate() on a query per group, or group the related model)',
    );
  switch (fn) {
    case 'count':
      return shaped(sql`sum(${part(resolved)})`, from);
    case 'sum':
    case 'min':
    case 'max':
      return shaped(callOn(resolved, part(resolved), ops), from);
    case 'avg': {
      const total = variant(resolved, 'sum');
      const sum = callOn(total, part(total), ops);
      const n = sql`sum(${part(variant(resolved, 'count'))})`;
      return shaped(ops.averageOf(sum, n, resolved.field?.kind === 'decimal'), from);
    }
  }
}

/**
 * The rows of `groupBy(keys).aggregate(spec, { having })`: the keys and the aggregates of each
 * group, ordered by the keys; and the aggregates, to read the rows with.
 */
export function groupedQuery(
  source: Source,
  state: State,
  keys: readonly GroupKey[],
  spec: Record<string, unknown>,
  options: { having?: object } | undefined,
): { query: Compiled; resolved: ResolvedAggregate[] } {
  const { db, model } = source;
  const ops = db.ops;
  const table = model.meta.table;
  const taken = state.annotations.map((a) => a.name);
  const resolved = resolveAggregates(model, spec, 'groupBy', taken);
  const parts: Part[] = [];
  const values = resolved.map((r) => perGroup(model, r, ops, state.filters, parts));
  const computed: Computed = new Map(
    resolved.map((r, i) => [
      r.name,
      annotationOperand(values[i]!.expression, r, ops, values[i]!.params, values[i]!.shape),
    ]),
  );
  const having = options?.having ? conditionsSql(model, options.having, ops, computed) : undefined;
  // The rows, their keys and per-row parts: a select of the model with extras.
  const extras: Extra[] = [...keys, ...parts].map((k) => ({
    key: k.alias,
    alias: k.alias,
    expression: k.expression,
    params: k.params,
    shape: k.shape,
    read: (raw) => raw,
  }));
  const rows: State = { ...state, order: [], related: [], prefetch: [], distinct: false, lock: undefined };
  // In SQL order: the aggregates (the outer select), the rows' keys and parts, their
  // conditions, `having`.
  const params = [
    ...values.flatMap((v) => v.params),
    ...extras.flatMap((e) => e.params ?? []),
    ...state.where.flatMap((w) => w.params),
    ...(having?.params ?? []),
  ];
  const shape = [
    ops.name,
    'group',
    keys.map((k) => `${k.shape}${k.nullable ? '?' : ''}`).join(','),
    parts.map((p) => p.shape).join(','),
    state.where.map((w) => w.shape).join(' & '),
    resolved.map((r, i) => `${r.alias}=${values[i]!.shape}`).join(','),
    having?.shape ?? '',
  ].join('|');
  const query = compiled(model, shape, params, () => {
    const inner = selectOf(source, model.meta.concreteFields, rows, extras);
    const column = (alias: string) => sql.ref(`${table}.${alias}`);
    const selected = [
      ...keys.map((k) => sql`${column(k.alias)} as ${sql.id(k.alias)}`),
      ...resolved.map((r, i) => sql`${values[i]!.expression} as ${sql.id(r.alias)}`),
    ];
    const grouped = sql.join(keys.map((k) => column(k.alias)));
    // PostgreSQL's default (NULL above every value), spelled out so SQLite sorts the same.
    const order = sql.join(
      keys.map((k) => sql`${k.sorted(column(k.alias))} asc${sql.raw(k.nullable ? ' nulls last' : '')}`),
    );
    const having_ = having ? sql` having ${having.expression}` : sql``;
    return sql`select ${sql.join(selected)} from (${inner}) as ${sql.id(table)} group by ${grouped}${having_} order by ${order}`.compile(
      db.kysely,
    );
  });
  return { query, resolved };
}

/** The rows of a grouped query: each key and aggregate under its name. */
export function groupedRows(
  raw: readonly Record<string, unknown>[],
  keys: readonly GroupKey[],
  resolved: readonly ResolvedAggregate[],
  ops: DialectOps,
): Record<string, unknown>[] {
  return raw.map((r) => {
    const row: Record<string, unknown> = {};
    for (const key of keys) row[key.name] = key.read(r[key.alias]);
    for (const a of resolved) row[a.name] = a.read(r[a.alias], ops);
    return row;
  });
}
