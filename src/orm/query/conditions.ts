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
import { combinatorOf } from './expressions.ts';
import { fieldOperand, leaf, type Operand } from './lookup-sql.ts';
import { LOOKUP_SET, notLookup, resolveKey } from './lookups.ts';
import { concreteField, follow, hop, type Path, pathFrom } from './paths.ts';
import type { Lookup } from './types.ts';

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
      );
    const parts = given.map((part) => conditionsSql(model, part, ops, computed, prefix));
    return combinator === 'not' ? negate(combine(parts, 'and')) : combine(parts, combinator);
  }
  if (typeof conditions !== 'object' || conditions === null || Array.isArray(conditions))
    throw new QueryError('filter: conditions should be an object, like { title: "Dune" }');
  return entriesSql(model, Object.entries(conditions), ops, computed, prefix);
}

/** The SQL of conditions that must all hold (one object's entries, or an `and()` of objects'). */
function entriesSql(
  model: AnyModel,
  entries: readonly (readonly [string, unknown])[],
  ops: DialectOps,
  computed: Computed | undefined,
  prefix: string,
): Clause {
  const clauses: Clause[] = [];
  let groups: Map<string, { path: Path; leaves: Clause[]; at: number; nullOnly: boolean }> | undefined;
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
      clauses.push(leaf(computedOperand, lookup as Lookup, key, value, ops));
      continue;
    }
    // `{ author: { lastName: 'x' } }` is `{ author__lastName: 'x' }`.
    if ((isPlainObject(value) || combinatorOf(value)) && !concreteFieldOnPath(model, key)) {
      follow(model, key.split('__'), 'filter');
      clauses.push(conditionsSql(model, value as object, ops, undefined, `${key}__`));
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
    const isNull = target.lookup === 'isNull' && value === true;
    const group = groups.get(target.path.name);
    if (group) {
      group.leaves.push(condition);
      group.nullOnly &&= isNull;
    } else {
      groups.set(target.path.name, {
        path: target.path,
        leaves: [condition],
        at: clauses.length,
        nullOnly: isNull,
      });
      clauses.push(condition); // replaced by the group's exists below, keeping the key order
    }
  }
  if (groups)
    for (const group of groups.values()) {
      const exists = existsClause(model, group.path, group.leaves);
      // `isNull: true` across a relation also matches a row that reaches no related row, as
      // Django's LEFT JOIN does (a book without reviews has no review rating: it is null).
      clauses[group.at] = group.nullOnly
        ? combine([exists, negate(existsClause(model, group.path, []))], 'or')
        : exists;
    }
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
