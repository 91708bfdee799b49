/**
 * Loading relations without N+1: `selectRelated` joins a foreign key's target into the same
 * query; `prefetchRelated` loads a reverse foreign key's rows in one batched query per relation
 * (`where book_id in (…)`). Nothing is ever loaded lazily.
 */
import { type SelectQueryBuilder, sql } from 'kysely';
import type { Database, DialectName } from '../database.ts';
import type { AnyField } from '../fields/field.ts';
import type { RelationField } from '../fields/relation.ts';
import type { ReverseRelation } from '../meta.ts';
import type { AnyModel } from '../model.ts';
import { QueryError } from './errors.ts';

type AnySelect = SelectQueryBuilder<any, any, any>;

/** Rows per batched `in (…)` query: far below SQLite's and PostgreSQL's parameter limits. */
const BATCH = 1000;

/**
 * `model`'s foreign key or one-to-one named `name`; a `QueryError` listing the valid names
 * otherwise (checked before any SQL is built).
 *
 * @example
 * ```ts
 * selectable(Book, 'author').target; // Author
 * ```
 */
export function selectable(model: AnyModel, name: unknown): RelationField {
  const valid = model.meta.forwardRelations.filter((r) => r.kind !== 'manyToMany');
  const found = valid.find((r) => r.name === name);
  if (found) return found;
  const names = valid.map((r) => r.name);
  throw new QueryError(
    `selectRelated: ${model.meta.label} has no foreign key ${JSON.stringify(name)}; ` +
      `its relations are: ${names.length ? names.join(', ') : '(none)'}`,
  );
}

/**
 * The reverse foreign key named `name` on `model`, declared by `related`; a `QueryError`
 * listing the valid names otherwise.
 *
 * @example
 * ```ts
 * prefetchable(Book, 'reviews', Review).field.column; // 'book_id'
 * ```
 */
export function prefetchable(model: AnyModel, name: unknown, related: AnyModel): ReverseRelation {
  const valid = model.meta.reverseRelations.filter((r) => r.field.kind === 'foreignKey');
  const found = valid.find((r) => r.name === name);
  if (!found) {
    const names = valid.map((r) => r.name);
    throw new QueryError(
      `prefetchRelated: ${model.meta.label} has no reverse relation ${JSON.stringify(name)}; ` +
        `its reverse relations are: ${names.length ? names.join(', ') : '(none)'}`,
    );
  }
  if (found.model !== related)
    throw new QueryError(
      `prefetchRelated: ${model.meta.label}.${found.name} holds ${found.model.meta.label} rows, not ${related?.meta?.label}`,
    );
  return found;
}

const alias = (i: number) => `volt_r${i}`;
const prefixed = (i: number, column: string) => `${alias(i)}__${column}`;

/**
 * Joins each relation's target: `inner` for a required key, `left` for a nullable one. The
 * target's columns come through a subquery that renames them (`volt_r0__id`), so the base
 * table's unqualified names in `where` and `order by` stay unambiguous.
 */
export function joinSelected(
  query: AnySelect,
  db: Database,
  table: string,
  relations: readonly RelationField[],
) {
  let joined = query;
  relations.forEach((relation, i) => {
    const target = relation.target.meta;
    const side = db.kysely
      .selectFrom(target.table)
      .select(target.concreteFields.map((f) => sql.ref(f.column!).as(prefixed(i, f.column!))));
    const on = sql<boolean>`${sql.ref(`${alias(i)}.${prefixed(i, target.pk.column!)}`)} = ${sql.ref(`${table}.${relation.column!}`)}`;
    joined = relation.nullable
      ? joined.leftJoin(side.as(alias(i)), (join) => join.on(on))
      : joined.innerJoin(side.as(alias(i)), (join) => join.on(on));
    joined = joined.select(
      target.concreteFields.map((f) => sql.ref(prefixed(i, f.column!)).as(prefixed(i, f.column!))),
    );
  });
  return joined;
}

/** Sets each joined relation on `row` (`row.author`), `null` when the key was null. */
export function attachSelected(
  row: Record<string, unknown>,
  raw: Record<string, unknown>,
  relations: readonly RelationField[],
  dialect: DialectName,
): void {
  relations.forEach((relation, i) => {
    const target = relation.target.meta;
    if (raw[prefixed(i, target.pk.column!)] == null) {
      row[relation.name] = null;
      return;
    }
    const related: Record<string, unknown> = {};
    for (const f of target.concreteFields)
      related[f.attribute] = f.fromDb(raw[prefixed(i, f.column!)], dialect);
    row[relation.name] = related;
  });
}

/**
 * Loads each reverse relation of `rows` with one query per relation (per 1000 rows), in the
 * related model's ordering, and sets it on every row (`row.reviews`, `[]` when none).
 */
export async function prefetch(
  rows: readonly Record<string, unknown>[],
  pk: AnyField,
  relations: readonly ReverseRelation[],
  load: (model: AnyModel, filter: Record<string, unknown>) => Promise<Record<string, unknown>[]>,
): Promise<void> {
  for (const relation of relations) {
    const key = relation.field.attribute;
    const groups = new Map<unknown, Record<string, unknown>[]>();
    for (const row of rows) {
      const list: Record<string, unknown>[] = [];
      row[relation.name] = list;
      groups.set(row[pk.attribute], list);
    }
    const ids = [...groups.keys()];
    for (let start = 0; start < ids.length; start += BATCH) {
      const related = await load(relation.model, { [`${key}__in`]: ids.slice(start, start + BATCH) });
      for (const item of related) groups.get(item[key])?.push(item);
    }
  }
}
