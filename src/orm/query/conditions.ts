/**
 * Turns filter conditions into SQL: one conditions object (all must hold), or an `or`/`and`/
 * `not` tree of them, becomes one `Clause`. Each key is resolved by `lookups.ts` and compared by
 * `lookup-sql.ts`. Conditions across relations become `exists (select 1 from …)` subqueries,
 * so a book with two matching reviews is still one row; conditions of one conditions object
 * on the same relation path share one subquery (the same related row must match all of them,
 * as in Django).
 */

import { type SqlBool, sql } from 'kysely';
import type { DialectOps } from '../dialects/ops.ts';
import type { AnyModel } from '../model.ts';
import { type Clause, combine, lazyClause, negate } from './clause.ts';
import { QueryError } from './errors.ts';
import { compareClause, expressionSql } from './expression-sql.ts';
import { combinatorOf } from './expressions.ts';
import { fieldOperand, leaf, type Operand } from './lookup-sql.ts';
import { LOOKUP_SET, notLookup, resolveKey } from './lookups.ts';
import { concreteField, follow, hop, JOINS, lastAlias, type Path, pathFrom } from './paths.ts';
import { isExpression } from './refs.ts';
import type { Lookup } from './types.ts';

/** Computed values a query may filter on by name (its annotations). */
export type Computed = ReadonlyMap<string, Operand>;

/**
 * Where conditions are compiled when they sit inside a subquery: the alias of the row they are
 * about (`outer`, whose columns are then qualified), the alias prefix of their own `exists`
 * subqueries, and a relation already joined there (`bound`), whose conditions hold on the
 * joined row instead of on some related row: an aggregate's `filter` (`sum('lines__amount',
 * { filter: { lines__quantity__gt: 1 } })` sums the lines with more than one item), and the
 * filters before an `annotate()`, as Django's joins do.
 */
export interface Scope {
  readonly outer: string;
  readonly joins: string;
  readonly bound: Bound | undefined;
  /** `false`: a `not(…)` part is about some related row, as Django's `exclude` (a subquery). */
  readonly bindNegations: boolean;
}

/** A relation path joined in the enclosing subquery: each hop's name, model and table alias. */
export interface Bound {
  readonly path: Path;
  readonly prefix: string;
}

/** `exists (select 1 from <path> where <correlation> and <conditions>)`, correlated with `outer`. */
function existsClause(
  path: Path,
  outer: string,
  joins: string,
  leaves: readonly Clause[],
  mark: string,
): Clause {
  return lazyClause(
    `exists ${mark}${path.name}(${leaves.map((l) => l.shape).join(' & ')})`,
    leaves.flatMap((l) => l.params),
    () => {
      const { from } = pathFrom(path, outer, joins);
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
 * An `undefined` value throws. `scope`: inside a subquery (see `Scope`).
 */
export function conditionsSql(
  model: AnyModel,
  conditions: object,
  ops: DialectOps,
  computed?: Computed,
  prefix = '',
  scope?: Scope,
): Clause {
  const combinator = combinatorOf(conditions);
  if (combinator) {
    const given = (conditions as { parts: readonly object[] }).parts;
    // `and()` of conditions objects is one object with repeated keys allowed: its conditions
    // on one relation hold on the same related row, as Django's `Q(…) & Q(…)` in one filter().
    if (
      combinator === 'and' &&
      given.length > 0 &&
      given.every((part) => isPlainObject(part) && !combinatorOf(part))
    )
      return entriesSql(
        model,
        given.flatMap((part) => Object.entries(part)),
        ops,
        computed,
        prefix,
        scope,
      );
    const inner =
      combinator === 'not' && scope?.bound && !scope.bindNegations ? { ...scope, bound: undefined } : scope;
    const parts = given.map((part) => conditionsSql(model, part, ops, computed, prefix, inner));
    return combinator === 'not' ? negate(combine(parts, 'and')) : combine(parts, combinator);
  }
  if (typeof conditions !== 'object' || conditions === null || Array.isArray(conditions))
    throw new QueryError('filter: conditions should be an object, like { title: "Dune" }');
  return entriesSql(model, Object.entries(conditions), ops, computed, prefix, scope);
}

/** The hops of `path` that the bound relation has joined: how many, and the alias of the last. */
function boundPart(path: Path, bound: Bound | undefined): { hops: number; alias: string } | undefined {
  if (!bound) return undefined;
  const joined = bound.path.steps;
  let hops = 0;
  while (hops < path.steps.length && hops < joined.length && path.steps[hops]!.name === joined[hops]!.name)
    hops++;
  if (hops === 0) return undefined;
  return { hops, alias: `${bound.prefix}${joined[hops - 1]!.end}` };
}

/** The SQL of conditions that must all hold (one object's entries, or an `and()` of objects'). */
function entriesSql(
  model: AnyModel,
  entries: readonly (readonly [string, unknown])[],
  ops: DialectOps,
  computed: Computed | undefined,
  prefix: string,
  scope: Scope | undefined,
): Clause {
  // Without a scope: the model's own table, unqualified columns.
  const outer = scope?.outer ?? model.meta.table;
  const joins = scope?.joins ?? JOINS;
  // The model's own columns: unqualified in its own query, else qualified by the row's alias.
  const own = scope?.outer;
  const clauses: Clause[] = [];
  let groups:
    | Map<
        string,
        { path: Path; outer: string; mark: string; leaves: Clause[]; at: number; nullOnly: boolean }
      >
    | undefined;
  for (const [name, value] of entries) {
    const key = prefix + name;
    // A condition left undefined by mistake must not widen an update or a delete to every row.
    if (value === undefined) throw new QueryError(`filter: '${key}' is undefined; leave the key out instead`);
    const computedOperand = prefix === '' ? computed?.get(key.split('__')[0]!) : undefined;
    if (computedOperand) {
      const rest = key.split('__').slice(1);
      if (rest.length > 1) throw notLookup(rest.join('__'), key);
      const lookup = rest[0] ?? 'exact';
      if (!LOOKUP_SET.has(lookup)) throw notLookup(lookup, key);
      clauses.push(
        compare(
          computedOperand,
          computedOperand.kind ?? 'unknown',
          lookup as Lookup,
          key,
          value,
          model,
          ops,
          outer,
          computed,
        ),
      );
      continue;
    }
    // `{ author: { lastName: 'x' } }` is `{ author__lastName: 'x' }`.
    if (
      (isPlainObject(value) || combinatorOf(value)) &&
      !isExpression(value) &&
      !concreteFieldOnPath(model, key)
    ) {
      follow(model, key.split('__'), 'filter');
      clauses.push(conditionsSql(model, value as object, ops, undefined, `${key}__`, scope));
      continue;
    }
    const target = resolveKey(model, key);
    const kind = target.part ? 'integer' : (target.field?.kind ?? 'relation');
    // A condition on the bound relation's row: its columns directly, further hops from it.
    const part = target.path && target.field ? boundPart(target.path, scope?.bound) : undefined;
    const rest = part ? target.path!.steps.slice(part.hops).map((step) => step.name) : undefined;
    if (!target.path || rest?.length === 0) {
      // A column of the queried row, or of the bound relation's row.
      const qualifier = target.path ? part!.alias : own;
      clauses.push(
        compare(
          fieldOperand(target.field!, ops, qualifier, target.part),
          kind,
          target.lookup,
          key,
          value,
          model,
          ops,
          outer,
          computed,
        ),
      );
      continue;
    }
    let path = target.path;
    let from = outer;
    let mark = scope ? `${outer}:` : '';
    if (part && rest) {
      path = follow(path.steps[part.hops - 1]!.model, rest, 'filter');
      from = part.alias;
      mark = `${part.alias}:`;
    }
    if (!target.field) {
      if (typeof value !== 'boolean') throw new QueryError(`filter: '${key}' needs true or false`);
      const exists = existsClause(path, from, joins, [], mark);
      clauses.push(value ? negate(exists) : exists);
      continue;
    }
    const condition = compare(
      fieldOperand(target.field, ops, lastAlias(path, joins), target.part),
      kind,
      target.lookup,
      key,
      value,
      model,
      ops,
      outer,
      computed,
    );
    groups ??= new Map();
    const isNull = target.lookup === 'isNull' && value === true;
    const id = `${mark}${path.name}`;
    const group = groups.get(id);
    if (group) {
      group.leaves.push(condition);
      group.nullOnly &&= isNull;
    } else {
      groups.set(id, { path, outer: from, mark, leaves: [condition], at: clauses.length, nullOnly: isNull });
      clauses.push(condition); // replaced by the group's exists below, keeping the key order
    }
  }
  if (groups)
    for (const group of groups.values()) {
      const exists = existsClause(group.path, group.outer, joins, group.leaves, group.mark);
      // `isNull: true` across a relation also matches a row that reaches no related row, as
      // Django's LEFT JOIN does (a book without reviews has no review rating: it is null).
      clauses[group.at] = group.nullOnly
        ? combine([exists, negate(existsClause(group.path, group.outer, joins, [], group.mark))], 'or')
        : exists;
    }
  return combine(clauses, 'and');
}

/**
 * One lookup: on a value (`leaf`), or — for an `F()` — with another value of the queried row,
 * the row of `outer`.
 */
function compare(
  operand: Operand,
  kind: string,
  lookup: Lookup,
  key: string,
  value: unknown,
  model: AnyModel,
  ops: DialectOps,
  outer: string,
  computed: Computed | undefined,
): Clause {
  if (!isExpression(value)) return leaf(operand, lookup, key, value, ops);
  return compareClause(
    operand,
    kind,
    lookup,
    key,
    expressionSql(value, model, ops, outer, computed, 'filter'),
    ops,
  );
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
