/**
 * Loading relations without N+1: `selectRelated` joins foreign keys' targets (and their keys'
 * targets: `book__author`) into the same query; `prefetchRelated` loads a reverse foreign key,
 * a reverse one-to-one or a many-to-many in one batched query per relation
 * (`where book_id in (…)`, through the join table for a many-to-many). Nothing is ever loaded
 * lazily.
 */

import { type SelectQueryBuilder, sql } from 'kysely';
import type { Database } from '../database.ts';
import type { DialectOps } from '../dialects/ops.ts';
import type { AnyField } from '../fields/field.ts';
import type { RelationField } from '../fields/relation.ts';
import type { AnyModel } from '../model.ts';
import { QueryError } from './errors.ts';
import { type JoinTable, joinTable } from './join-table.ts';

type AnySelect = SelectQueryBuilder<any, any, any>;

/** A foreign key joined by `selectRelated`, possibly through others (`book__author`). */
export interface SelectedRelation {
  /** The path from the queried model (`book__author`); the compiled-SQL cache keys on it. */
  readonly name: string;
  /** The foreign key or one-to-one of this hop. */
  readonly field: RelationField;
  /** The index of the join this hop starts from; `-1` for the queried table. */
  readonly parent: number;
  /** `true` (a left join) when this key or one before it is nullable. */
  readonly optional: boolean;
}

function forwardKey(model: AnyModel, name: string, path: string): RelationField {
  const valid = model.meta.forwardRelations.filter((r) => r.kind !== 'manyToMany');
  const found = valid.find((r) => r.name === name);
  if (found) return found;
  const names = valid.map((r) => r.name);
  const within = path === name ? '' : ` (in '${path}')`;
  throw new QueryError(
    `selectRelated: ${model.meta.label} has no foreign key ${JSON.stringify(name)}${within}; ` +
      `its relations are: ${names.length ? names.join(', ') : '(none)'}`,
  );
}

/**
 * `selected` plus the hops of `path` (`author`, or `book__author` for a key of a key) not yet
 * in it, parents first; a `QueryError` listing the valid names when a hop is not a foreign key
 * or one-to-one (checked before any SQL is built).
 *
 * @example
 * ```ts
 * selectable(Review, 'book__author', []).map((r) => r.name); // ['book', 'book__author']
 * ```
 */
export function selectable(
  model: AnyModel,
  path: unknown,
  selected: readonly SelectedRelation[],
): SelectedRelation[] {
  if (typeof path !== 'string' || path === '')
    throw new QueryError(
      `selectRelated: relation names should be non-empty strings, got ${JSON.stringify(path)}`,
    );
  const out = [...selected];
  let current = model;
  let parent = -1;
  let optional = false;
  let name = '';
  for (const hop of path.split('__')) {
    const field = forwardKey(current, hop, path);
    name = name ? `${name}__${hop}` : hop;
    optional ||= field.nullable;
    let index = out.findIndex((r) => r.name === name);
    if (index === -1) {
      out.push(Object.freeze({ name, field, parent, optional }));
      index = out.length - 1;
    }
    parent = index;
    current = field.target;
  }
  return out;
}

/**
 * The reverse relation named `name` on `model` that `prefetchRelated` loads: a reverse foreign
 * key or one-to-one, or a many-to-many (declared on `model`, or on `related` pointing at it),
 * holding `related`'s rows; a `QueryError` listing the valid names otherwise.
 *
 * @example
 * ```ts
 * prefetchable(Book, 'reviews', Review).key; // 'bookId'
 * prefetchable(Book, 'tags', Tag).join?.table; // 'library_book_tag'
 * ```
 */
export function prefetchable(model: AnyModel, name: unknown, related: AnyModel, refine?: Refine): Prefetch {
  if (refine !== undefined && typeof refine !== 'function')
    throw new QueryError('prefetchRelated: the third argument should be a function refining the query');
  const forward = model.meta.forwardRelations.find((r) => r.kind === 'manyToMany' && r.name === name);
  const reverse = model.meta.reverseRelations.find((r) => r.name === name);
  let prefetch: Prefetch | undefined;
  if (forward)
    prefetch = { name: forward.name, model: forward.target, single: false, join: joinTable(forward), refine };
  else if (reverse?.kind === 'manyToMany')
    prefetch = {
      name: reverse.name,
      model: reverse.model,
      single: false,
      join: joinTable(reverse.field, true),
      refine,
    };
  else if (reverse)
    prefetch = {
      name: reverse.name,
      model: reverse.model,
      single: !reverse.many,
      key: reverse.field.attribute,
      refine,
    };
  if (!prefetch) {
    const list = (names: string[]) => (names.length ? names.join(', ') : '(none)');
    const forwardNames = model.meta.forwardRelations
      .filter((r) => r.kind === 'manyToMany')
      .map((r) => r.name);
    throw new QueryError(
      `prefetchRelated: ${model.meta.label} has no reverse relation or many-to-many ${JSON.stringify(name)}; ` +
        `its reverse relations are: ${list(model.meta.reverseRelations.map((r) => r.name))}; ` +
        `its many-to-manys: ${list(forwardNames)}`,
    );
  }
  if (prefetch.model !== related)
    throw new QueryError(
      `prefetchRelated: ${model.meta.label}.${prefetch.name} holds ${prefetch.model.meta.label} rows, not ${related?.meta?.label}`,
    );
  return Object.freeze(prefetch);
}

/** A function given a QuerySet of the related rows and returning a narrowed one. */
export type Refine = (rows: any) => any;

/** A relation `prefetchRelated` loads. */
export interface Prefetch {
  /** The name rows get it under (`reviews`, `tags`). */
  readonly name: string;
  /** The related rows' model. */
  readonly model: AnyModel;
  /** A reverse one-to-one: one row or `null`, not a list. */
  readonly single: boolean;
  /** A reverse foreign key or one-to-one: the key of the related rows pointing back (`bookId`). */
  readonly key?: string;
  /** A many-to-many: its join table seen from the queried model. */
  readonly join?: JoinTable;
  /** Narrows the related rows' query (filters, ordering, nested loading). */
  readonly refine: Refine | undefined;
}

const alias = (i: number) => `volt_r${i}`;

/** The alias of the `i`th joined relation of `selectRelated` (what `for update of` names). */
export const joinAlias = alias;
const prefixed = (i: number, column: string) => `${alias(i)}__${column}`;

/**
 * Joins each relation's target: `inner` for a required key, `left` for a nullable one (or one
 * reached through a nullable one). The target's columns come through a subquery that renames
 * them (`volt_r0__id`), so the base table's unqualified names in `where` and `order by` stay
 * unambiguous; a nested hop joins on its parent's renamed key column.
 */
export function joinSelected(
  query: AnySelect,
  db: Database,
  table: string,
  relations: readonly SelectedRelation[],
) {
  let joined = query;
  relations.forEach(({ field, parent, optional }, i) => {
    const target = field.target.meta;
    const side = db.kysely
      .selectFrom(target.table)
      .select(target.concreteFields.map((f) => sql.ref(f.column!).as(prefixed(i, f.column!))));
    const from =
      parent === -1 ? `${table}.${field.column!}` : `${alias(parent)}.${prefixed(parent, field.column!)}`;
    const on = sql<boolean>`${sql.ref(`${alias(i)}.${prefixed(i, target.pk.column!)}`)} = ${sql.ref(from)}`;
    joined = optional
      ? joined.leftJoin(side.as(alias(i)), (join) => join.on(on))
      : joined.innerJoin(side.as(alias(i)), (join) => join.on(on));
    joined = joined.select(
      target.concreteFields.map((f) => sql.ref(prefixed(i, f.column!)).as(prefixed(i, f.column!))),
    );
  });
  return joined;
}

/**
 * Sets each joined relation on `row` (`row.author`), or on the row of the hop before it
 * (`row.book.author`); `null` when the key was null. `values` is the selected row as an array;
 * the joined columns start at `start`, relation after relation, in the target's column order.
 */
export function attachSelected(
  row: Record<string, unknown>,
  values: readonly unknown[],
  start: number,
  relations: readonly SelectedRelation[],
  ops: DialectOps,
): void {
  const objects: (Record<string, unknown> | null)[] = [];
  let at = start;
  for (const { field, parent } of relations) {
    const host = parent === -1 ? row : objects[parent];
    const target = field.target.meta;
    const columns = target.concreteFields;
    const pkAt = at + columns.indexOf(target.pk);
    if (!host || values[pkAt] == null) {
      objects.push(null);
      if (host) host[field.name] = null;
      at += columns.length;
      continue;
    }
    const related: Record<string, unknown> = {};
    for (const f of columns) related[f.attribute] = f.fromDb(values[at++], ops);
    objects.push(related);
    host[field.name] = related;
  }
}

/** Loads the rows of one prefetched relation for a batch of keys: each row with the key it belongs to. */
export type PrefetchLoader = (
  db: Database,
  relation: Prefetch,
  keys: readonly unknown[],
) => Promise<{ key: unknown; row: Record<string, unknown> }[]>;

/**
 * Loads each relation of `rows` with one query per relation, however many rows (a long `in`
 * list is one parameter), and sets it on every row: a list (`row.reviews`, `[]` when none), or
 * for a reverse one-to-one the row or `null`.
 */
export async function prefetch(
  db: Database,
  rows: readonly Record<string, unknown>[],
  pk: AnyField,
  relations: readonly Prefetch[],
  load: PrefetchLoader,
): Promise<void> {
  for (const relation of relations) {
    const groups = new Map<unknown, Record<string, unknown>[]>();
    for (const row of rows) {
      const key = row[pk.attribute];
      let list = groups.get(key);
      if (!list) {
        list = [];
        groups.set(key, list);
      }
      if (!relation.single) row[relation.name] = list;
    }
    if (groups.size > 0)
      for (const { key, row } of await load(db, relation, [...groups.keys()])) groups.get(key)?.push(row);
    if (relation.single)
      for (const row of rows) row[relation.name] = groups.get(row[pk.attribute])![0] ?? null;
  }
}
