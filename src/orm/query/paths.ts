/**
 * Relation paths: `author__lastName`, `reviews__rating`, `tags__name`, `book__author__country`.
 * A path is resolved against each model's meta, hop by hop, before any SQL is built; every
 * name that is not a field or a relation of the model it is read on throws a `QueryError`
 * listing the valid ones. A resolved path knows the tables to join (as `links`) and whether it
 * can reach several rows (`many`: a reverse foreign key or a many-to-many on the way).
 */
import { type RawBuilder, sql } from 'kysely';
import { autoJoinTable } from '../ddl.ts';
import type { AnyField } from '../fields/field.ts';
import type { RelationField } from '../fields/relation.ts';
import type { AnyModel } from '../model.ts';
import { QueryError } from './errors.ts';

/**
 * One table joined on a path: `<alias>.<column> = <previous alias>.<previous>`, where the
 * previous alias is the row the path starts from for the first link.
 */
export interface Link {
  readonly table: string;
  readonly column: string;
  readonly previous: string;
}

/** A resolved relation path: the links to its last model, and that model. */
export interface Path {
  /** The hops as written (`reviews`, `book__author`); the cache key of the path. */
  readonly name: string;
  readonly links: readonly Link[];
  /** The model the path ends at. */
  readonly model: AnyModel;
  /** `true` when some hop reaches several rows (reverse foreign key, many-to-many). */
  readonly many: boolean;
  /** `true` when some hop may reach no row (a nullable key, a reverse relation). */
  readonly optional: boolean;
  /** Each hop: its name, the model it reaches, and how many links the path has up to it. */
  readonly steps: readonly Step[];
}

/** One hop of a path. */
export interface Step {
  readonly name: string;
  readonly model: AnyModel;
  /** The number of links up to this hop's end: its table is the path's link `end` (1-based). */
  readonly end: number;
  /** `true` when this hop reaches several rows. */
  readonly many: boolean;
}

/** The two join-table columns of a many-to-many: towards its owner, towards its target. */
function joinColumns(field: RelationField): { table: string; source: string; target: string } {
  const through = field.through;
  if (!through) {
    const join = autoJoinTable(field)!;
    return { table: join.table, source: join.sourceColumn, target: join.targetColumn };
  }
  const keys = through.meta.forwardRelations.filter((r) => r.kind !== 'manyToMany');
  const owner = field.model!;
  const source = keys.find((r) => r.pointsAt(owner));
  const target = keys.find((r) => r !== source && r.pointsAt(field.target));
  if (!source || !target)
    throw new QueryError(
      `${owner.meta.label}.${field.name}: its through model ${through.meta.label} needs a foreign key to ` +
        `${owner.meta.label} and one to ${field.target.meta.label}`,
    );
  return { table: through.meta.table, source: source.column!, target: target.column! };
}

/** A hop from `model` through the relation named `name`, or `undefined` when there is none. */
export function hop(
  model: AnyModel,
  name: string,
): { links: Link[]; model: AnyModel; many: boolean; optional: boolean } | undefined {
  const meta = model.meta;
  const forward = meta.forwardRelations.find((r) => r.name === name);
  if (forward) {
    const target = forward.target;
    if (forward.kind !== 'manyToMany')
      return {
        links: [{ table: target.meta.table, column: target.meta.pk.column!, previous: forward.column! }],
        model: target,
        many: false,
        optional: forward.nullable,
      };
    const join = joinColumns(forward);
    return {
      links: [
        { table: join.table, column: join.source, previous: meta.pk.column! },
        { table: target.meta.table, column: target.meta.pk.column!, previous: join.target },
      ],
      model: target,
      many: true,
      optional: true,
    };
  }
  const reverse = meta.reverseRelations.find((r) => r.name === name);
  if (!reverse) return undefined;
  const other = reverse.model;
  if (reverse.kind !== 'manyToMany')
    return {
      links: [{ table: other.meta.table, column: reverse.field.column!, previous: meta.pk.column! }],
      model: other,
      many: reverse.many,
      optional: true,
    };
  const join = joinColumns(reverse.field);
  return {
    links: [
      { table: join.table, column: join.target, previous: meta.pk.column! },
      { table: other.meta.table, column: other.meta.pk.column!, previous: join.source },
    ],
    model: other,
    many: true,
    optional: true,
  };
}

/** The concrete field of `model` behind a row key (or a field name). */
export function concreteField(model: AnyModel, key: string): AnyField | undefined {
  const fields = model.meta.concreteFields;
  return fields.find((f) => f.attribute === key) ?? fields.find((f) => f.name === key);
}

/** A `QueryError` naming what `model` has instead of `name`. */
export function unknownName(model: AnyModel, name: string, where: string): QueryError {
  const meta = model.meta;
  const relations = [
    ...meta.forwardRelations.map((r) => r.name),
    ...meta.reverseRelations.map((r) => r.name),
  ];
  return new QueryError(
    `${where}: ${meta.label} has no field '${name}'; valid names are: ` +
      meta.concreteFields.map((f) => f.attribute).join(', ') +
      (relations.length ? `; relations: ${relations.join(', ')}` : ''),
  );
}

/**
 * Follows the relations named by `names` from `model`; a `QueryError` at the first name that
 * is no relation of the model reached so far.
 *
 * @example
 * ```ts
 * const path = follow(Book, ['author'], 'filter'); // path.model === Author, path.many === false
 * ```
 */
export function follow(model: AnyModel, names: readonly string[], where: string): Path {
  let current = model;
  const links: Link[] = [];
  const steps: Step[] = [];
  let many = false;
  let optional = false;
  for (const name of names) {
    const step = hop(current, name);
    if (!step) throw unknownName(current, name, where);
    links.push(...step.links);
    many ||= step.many;
    optional ||= step.optional;
    current = step.model;
    steps.push({ name, model: current, end: links.length, many: step.many });
  }
  return { name: names.join('__'), links, model: current, many, optional, steps };
}

/** The alias prefix of the tables of a path's subquery: `volt_j1`, `volt_j2`… */
export const JOINS = 'volt_j';

/** The alias of the last table of a path's subquery (see `pathFrom`). */
export function lastAlias(path: Path, prefix = JOINS): string {
  return `${prefix}${path.links.length}`;
}

/**
 * `from <t1> as volt_j1 inner join <t2> as volt_j2 on … where volt_j1.<col> = <outer>.<col>`:
 * the tables of a path correlated with the row it starts from (`outer`: a table or alias).
 * Columns of the last model are then read as `<last alias>.<column>`. A subquery inside another
 * path's subquery takes another `prefix`, so its aliases do not hide the outer ones.
 */
export function pathFrom(
  path: Path,
  outer: string,
  prefix = JOINS,
): { from: RawBuilder<unknown>; last: string } {
  const alias = (n: number) => `${prefix}${n}`;
  const [first, ...rest] = path.links;
  let from = sql`${sql.table(first!.table)} as ${sql.id(alias(1))}`;
  rest.forEach((link, i) => {
    const name = alias(i + 2);
    from = sql`${from} inner join ${sql.table(link.table)} as ${sql.id(name)} on ${sql.ref(`${name}.${link.column}`)} = ${sql.ref(`${alias(i + 1)}.${link.previous}`)}`;
  });
  const correlate = sql`${sql.ref(`${alias(1)}.${first!.column}`)} = ${sql.ref(`${outer}.${first!.previous}`)}`;
  return { from: sql`${from} where ${correlate}`, last: alias(path.links.length) };
}

/** A column reached from a model's row: its own, or across foreign keys (`customer__country`). */
export interface ColumnAt {
  readonly field: AnyField;
  /** The foreign keys followed first; `undefined` for a column of the model itself. */
  readonly path: Path | undefined;
  /** The column's value for the row of `outer` (a subquery across a path). */
  readonly expression: RawBuilder<unknown>;
  /** The cache shape of `expression`. */
  readonly shape: string;
  /** `true` when the value may be null: a nullable column, or a path that may reach no row. */
  readonly nullable: boolean;
}

/**
 * The column named by `key` (a row key, or a path across foreign keys and one-to-ones) for the
 * row of `outer` (a table or alias; the model's table by default). A path reaching several rows
 * is refused: it has no one value per row.
 *
 * @example
 * ```ts
 * columnAt(Order, 'customer__country', 'groupBy').field.name; // 'country'
 * ```
 */
export function columnAt(model: AnyModel, key: string, where: string, outer = model.meta.table): ColumnAt {
  const names = key.split('__');
  const last = names.pop()!;
  const path = names.length ? follow(model, names, where) : undefined;
  const at = path?.model ?? model;
  const field = concreteField(at, last);
  if (!field) {
    if (hop(at, last))
      throw new QueryError(
        `${where}: '${key}' is a relation; name a field of ${hop(at, last)!.model.meta.label} after it`,
      );
    throw unknownName(at, last, where);
  }
  if (!path)
    return {
      field,
      path,
      expression: sql.ref(`${outer}.${field.column!}`),
      shape: JSON.stringify(field.column),
      nullable: field.nullable,
    };
  if (path.many)
    throw new QueryError(
      `${where}: '${key}' crosses a relation holding several rows, so a row has no one value of it; aggregate it instead`,
    );
  const { from, last: alias } = pathFrom(path, outer);
  return {
    field,
    path,
    expression: sql`(select ${sql.ref(`${alias}.${field.column!}`)} from ${from})`,
    shape: `${path.name}.${JSON.stringify(field.column)}`,
    nullable: field.nullable || path.optional,
  };
}
