/**
 * What a resource's rows look like to clients: the declared fields, the related rows loaded
 * with them (`nested`, and `expand` when asked), `?fields=` narrowing them, an example for the
 * docs, and the ETag of a row's state.
 */
import { createHash } from 'node:crypto';
import { type TSchema, Type } from 'typebox';
import { narrowed } from '../auth/policies.ts';
import type { FieldError } from '../http/errors.ts';
import type { AnyField } from '../orm/fields/field.ts';
import type { AnyModel } from '../orm/model.ts';
import type { QuerySet } from '../orm/query/queryset.ts';
import { didYouMean, ResourceDefinitionError, relationOf } from './fields.ts';

/** A relation the representation can hold. */
export interface RelationSpec {
  readonly name: string;
  readonly model: AnyModel;
  /** A list of rows (reverse key, many-to-many) rather than one. */
  readonly many: boolean;
  readonly schema: TSchema;
}

/** The relations an `expand` or `nested` option names, checked against the model. */
export function relationSpecs(
  model: AnyModel,
  given: Record<string, AnyModel>,
  option: string,
): RelationSpec[] {
  return Object.entries(given).map(([name, related]) => {
    const relation = relationOf(model, name);
    if (!relation) {
      const known = [
        ...model.meta.concreteFields
          .filter((f) => f.kind === 'foreignKey' || f.kind === 'oneToOne')
          .map((f) => f.name),
        ...model.meta.fields.filter((f) => f.kind === 'manyToMany').map((f) => f.name),
        ...model.meta.reverseRelations.map((r) => r.name),
      ];
      throw new ResourceDefinitionError(
        `${option}.${name}: ${model.meta.label} has no relation '${name}'${didYouMean(name, known)}; its relations are ${known.join(', ') || 'none'}`,
      );
    }
    if (!related?.meta || related.meta.label !== relation.target.meta.label)
      throw new ResourceDefinitionError(
        `${option}.${name}: the relation holds ${relation.target.meta.label} rows; give that model`,
      );
    const read = related.schema.read as TSchema;
    // One row may be null: a nullable key, a reverse one-to-one, or a row its model's scope hides.
    const schema = relation.many ? Type.Array(read) : Type.Union([read, Type.Null()]);
    return { name, model: related, many: relation.many, schema };
  });
}

/**
 * Adds the loading of `relations` to a query: a join per key, one query per list; a list is
 * narrowed to the rows of its model's scope given in `scopes` (by relation name).
 */
export function withRelations<Q extends QuerySet<any, any, any>>(
  set: Q,
  relations: readonly RelationSpec[],
  scopes?: ReadonlyMap<string, boolean | readonly object[]>,
): Q {
  let loaded: QuerySet<any, any, any> = set;
  const joined = relations.filter((r) => !r.many).map((r) => r.name);
  if (joined.length > 0) loaded = loaded.selectRelated(...(joined as never[]));
  for (const relation of relations) {
    if (!relation.many) continue;
    const scope = scopes?.get(relation.name);
    const refine = scope === undefined ? undefined : (rows: QuerySet<any, any, any>) => narrowed(rows, scope);
    loaded = loaded.prefetchRelated(relation.name as never, relation.model as never, refine as never);
  }
  return loaded as Q;
}

/** Splits a comma-separated parameter into names, each one of `known`, or a problem naming it. */
export function namesParameter(
  text: string,
  known: ReadonlySet<string>,
  parameter: string,
  errors: FieldError[],
): string[] | undefined {
  const names = text
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  for (const name of names)
    if (!known.has(name)) {
      errors.push({
        loc: ['query', parameter],
        msg: `'${name.slice(0, 40)}' is not one of ${[...known].join(', ')}${didYouMean(name, [...known])}`,
        type: 'value_error',
      });
      return undefined;
    }
  return names;
}

/** `row` with only the `keep` keys. */
export function pick(row: Record<string, unknown>, keep: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keep) if (key in row) out[key] = row[key];
  return out;
}

/**
 * The ETag of a row's state: a hash of its fields' values (not of the bytes sent, which
 * `?fields=` and `?expand=` vary), so a client can send it back in `If-Match`.
 */
export function etagOf(row: Record<string, unknown>, fields: readonly AnyField[]): string {
  const hash = createHash('sha256');
  for (const field of fields) {
    const value = row[field.attribute];
    hash.update(JSON.stringify(value instanceof Date ? value.toISOString() : (value ?? null)) ?? 'undefined');
    hash.update('\u0000');
  }
  return `"${hash.digest('base64url').slice(0, 27)}"`;
}

/**
 * Whether an `If-Match` / `If-None-Match` header names `etag` (`*` names any). `If-None-Match`
 * compares weakly (a `W/` prefix on either side is ignored), `If-Match` strongly (RFC 9110
 * 13.1.1: a weak tag never matches).
 */
export function matchesEtag(header: string | undefined, etag: string, weak: boolean): boolean {
  if (header === undefined) return false;
  const bare = (tag: string) => (tag.startsWith('W/') ? tag.slice(2) : tag);
  if (!weak && etag.startsWith('W/')) return header.trim() === '*';
  for (const part of header.split(',')) {
    const tag = part.trim();
    if (tag === '*') return true;
    if (weak ? bare(tag) === bare(etag) : tag === etag) return true;
  }
  return false;
}

/** A weak ETag of a representation (a row with its relations, or some of its fields). */
export function representationTag(sent: unknown): string {
  return `W/"${createHash('sha256').update(JSON.stringify(sent)).digest('base64url').slice(0, 27)}"`;
}

const EXAMPLES: Record<string, unknown> = {
  auto: 1,
  integer: 1,
  bigint: 1,
  float: 1.5,
  decimal: '19.90',
  boolean: true,
  date: '2026-01-31',
  datetime: '2026-01-31T09:30:00.000Z',
  time: '09:30:00',
  uuid: '0b5d6f8e-9f1c-4f5e-8a3c-2d7e4b6a1c90',
  email: 'ada@example.com',
  url: 'https://example.com/',
  slug: 'a-slug',
  json: {},
  foreignKey: 1,
  oneToOne: 1,
};

/** An example row with its nested relations, for the docs. */
export function exampleItem(
  model: AnyModel,
  keys: readonly string[],
  relations: readonly RelationSpec[],
): Record<string, unknown> {
  const example = exampleRow(model, keys);
  for (const spec of relations) {
    const related = exampleRow(
      spec.model,
      Object.keys((spec.model.schema.read as { properties: object }).properties),
    );
    example[spec.name] = spec.many ? [related] : related;
  }
  return example;
}

/** An example row for the docs, from the fields' kinds and choices. */
export function exampleRow(model: AnyModel, keys: readonly string[]): Record<string, unknown> {
  const example: Record<string, unknown> = {};
  for (const key of keys) {
    const field = model.meta.concreteFields.find((f) => f.attribute === key);
    if (!field) continue;
    example[key] =
      field.choices?.[0]?.value ?? EXAMPLES[field.kind] ?? (field.maxLength ? field.label || key : 'text');
  }
  return example;
}
