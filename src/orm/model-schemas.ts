/**
 * A model's TypeBox schemas: `read` (a row in responses), `create` and `update` (request
 * bodies). Built on first use, then cached; the HTTP layer compiles them once per route.
 *
 * - `read`: every field with a column, keyed as in a row (`authorId`), except `writeOnly` ones.
 * - `create`: editable fields only (no auto `id`, no `autoNow`/`autoNowAdd`, no `editable: false`);
 *   fields with a default or nullable are optional. Unknown properties are refused.
 * - `update`: the same fields as `create` minus the primary key, all optional.
 * Many-to-many fields are in none of them: the query layer sets them through their own calls.
 */
import {
  type Static,
  type TObject,
  type TOptional,
  type TProperties,
  type TSchema,
  type TUnsafe,
  Type,
} from 'typebox';

import { type AnyField, type FieldSchema, ModelDefinitionError } from './fields/field.ts';
import { RelationField } from './fields/relation.ts';
import type { ModelMeta } from './meta.ts';
import type { AnyModel } from './model.ts';
import type { CreateInputOf, FieldMap, ReadRowOf, UpdateInputOf } from './types.ts';

/** A property schema typed by its value, whose keywords can be read directly (`maxLength`). */
type PropertySchema<V> = TUnsafe<V> & Record<string, any>;
type OptionalKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? K : never }[keyof T];

/**
 * The TypeBox properties of an object type: `TOptional` for its optional keys, so that
 * `Static<>` of the schema is the type again.
 */
export type PropertiesOf<T> = {
  [K in keyof T]-?: K extends OptionalKeys<T>
    ? TOptional<PropertySchema<Exclude<T[K], undefined>>>
    : PropertySchema<T[K]>;
};

/**
 * An object schema whose keywords and properties' keywords can be read directly; `Static<>` of
 * it (the type a route's `ctx.body` gets) is the row or input type of the model.
 */
export type ModelSchema<P extends TProperties = Record<string, FieldSchema>> = TObject<P> &
  Record<string, any>;

/** What `readWith()` takes for a relation: a model or a schema, in a one-element list for many rows. */
export type RelatedSpec = AnyModel | TSchema | readonly [AnyModel | TSchema];

type OptionsOf<F> = F extends { readonly '~options': infer O } ? O : never;
type ItemOf<V> = V extends { readonly '~fields': infer G }
  ? ReadRowOf<G>
  : V extends TSchema
    ? Static<V>
    : never;
/** A relation's value: a list, or one row (`null` too for a nullable key or a reverse one-to-one). */
type RelatedValue<F, K, V> = V extends readonly [infer E]
  ? ItemOf<E>[]
  : ItemOf<V> | (K extends keyof F ? (OptionsOf<F[K]> extends { nullable: true } ? null : never) : null);
type WithRows<F, S> = ReadRowOf<F> & { -readonly [K in keyof S]: RelatedValue<F, K, S[K]> };
/** The model a foreign key or one-to-one field loads, when its target is a function (`unknown` otherwise). */
type LoadsOf<Fd> = OptionsOf<Fd> extends { '~to': () => infer T } ? T : unknown;
/**
 * What `readWith()` takes for `K` given `V`: for a foreign key or one-to-one declared with a
 * function target, that model (a model is a `TSchema` too, so a model given is held to it) or a
 * schema; anything `RelatedSpec` allows for other relations, whose models the types cannot know
 * (checked when the schema is made).
 */
type SpecOf<F, K, V> = K extends keyof F
  ? LoadsOf<F[K]> extends infer T extends AnyModel
    ? V extends AnyModel
      ? T
      : TSchema
    : RelatedSpec
  : RelatedSpec;

/**
 * The three schemas of a model, typed from its fields: a route with `body: Book.schema.create`
 * gets `ctx.body: CreateInput<typeof Book>`.
 */
export interface ModelSchemas<F extends FieldMap = FieldMap> {
  /** A row as returned to clients (no `writeOnly` fields). */
  readonly read: Typed<F, ReadRowOf<F>>;
  /**
   * The read schema of a row with loaded relations (`selectRelated`, `prefetchRelated`): each
   * relation's model (or schema, for nested loads), in a one-element list for many rows. A
   * nullable foreign key and a reverse one-to-one may be `null`. Checked against the model.
   *
   * @example
   * ```ts
   * const BookOut = Book.schema.readWith({ author: Author, tags: [Tag] });
   * app.get('/books', { response: { 200: t.Array(BookOut) } }, (ctx) =>
   *   query(ctx.db, Book).selectRelated('author').prefetchRelated('tags', Tag).all(),
   * );
   * ```
   */
  readWith<const S extends { [K in keyof S]: SpecOf<F, K, S[K]> }>(relations: S): Typed<F, WithRows<F, S>>;
  /** The body of a create. */
  readonly create: Typed<F, CreateInputOf<F>>;
  /** The body of a (partial) update. */
  readonly update: Typed<F, UpdateInputOf<F>>;
}

/** `ModelSchema` typed by `T`; untyped for a model whose fields are not known (`AnyModel`). */
type Typed<F, T> = 0 extends 1 & F ? ModelSchema : ModelSchema<PropertiesOf<T>>;

/** `true` when a client may set the field (on create or update). */
export function isWritable(field: AnyField): boolean {
  return (
    field.column !== null && field.editable && !field.autoNow && !field.autoNowAdd && field.kind !== 'auto'
  );
}

/** `true` when a create may leave the field out. */
export function isOptionalOnCreate(field: AnyField): boolean {
  return field.nullable || field.hasDefault;
}

function readSchema(meta: ModelMeta): ModelSchema {
  const properties: Record<string, FieldSchema> = {};
  for (const field of meta.concreteFields)
    if (!field.writeOnly) properties[field.attribute] = field.readSchema();
  return Type.Object(properties, { title: meta.name });
}

function isModel(value: unknown): value is AnyModel {
  return typeof value === 'object' && value !== null && 'meta' in value && 'schema' in value;
}

/** `readWith(relations)`: the read schema plus each loaded relation, checked against the model. */
function readWith(meta: ModelMeta, read: ModelSchema, relations: unknown): ModelSchema {
  if (typeof relations !== 'object' || relations === null)
    throw new ModelDefinitionError(
      `${meta.label}.schema.readWith(): give { relation: Model } or { relation: [Model] }`,
    );
  const properties: Record<string, TSchema> = { ...read.properties };
  for (const [name, spec] of Object.entries(relations as Record<string, unknown>)) {
    const many = Array.isArray(spec);
    const item = many ? spec[0] : spec;
    const schema = isModel(item) ? (item.schema.read as TSchema) : (item as TSchema);
    if (typeof schema !== 'object' || schema === null || (many && spec.length !== 1))
      throw new ModelDefinitionError(
        `${meta.label}.schema.readWith(): '${name}' takes a model or a schema, in a one-element list for many rows`,
      );
    const forward = meta.concreteFields.find((f) => f.name === name && f instanceof RelationField) as
      | RelationField
      | undefined;
    const manyToMany = meta.fields.find((f) => f.name === name && f.kind === 'manyToMany');
    const reverse = meta.reverseRelations.find((r) => r.name === name);
    const expectsMany = manyToMany !== undefined || (reverse?.many ?? false);
    if (!forward && !manyToMany && !reverse)
      throw new ModelDefinitionError(
        `${meta.label}.schema.readWith(): ${meta.label} has no relation '${name}'; its relations are: ${[
          ...meta.concreteFields.filter((f) => f instanceof RelationField).map((f) => f.name),
          ...meta.fields.filter((f) => f.kind === 'manyToMany').map((f) => f.name),
          ...meta.reverseRelations.map((r) => r.name),
        ].join(', ')}`,
      );
    if (many !== expectsMany)
      throw new ModelDefinitionError(
        `${meta.label}.schema.readWith(): '${name}' holds ${expectsMany ? 'several rows: write [Model]' : 'one row: write the model, not a list'}`,
      );
    // A model must be the one the query loads there (a schema is taken as given: a nested
    // load, or a shape of your own); another model's schema would strip or refuse the rows.
    const loads = forward
      ? forward.target
      : manyToMany
        ? (manyToMany as RelationField).target
        : reverse!.model;
    if (isModel(item) && item.meta.label !== loads.meta.label)
      throw new ModelDefinitionError(
        `${meta.label}.schema.readWith(): '${name}' loads ${loads.meta.label} rows, not ${item.meta.label}`,
      );
    const nullable = forward ? forward.nullable : !many;
    properties[name] = many ? Type.Array(schema) : nullable ? Type.Union([schema, Type.Null()]) : schema;
  }
  return Type.Object(properties, {
    title: `${meta.name}With${Object.keys(relations).map(capital).join('')}`,
  });
}

function capital(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

function createSchema(meta: ModelMeta): ModelSchema {
  const properties: Record<string, FieldSchema> = {};
  for (const field of meta.concreteFields) {
    if (!isWritable(field)) continue;
    const schema = field.writeSchema();
    properties[field.attribute] = isOptionalOnCreate(field) ? Type.Optional(schema) : schema;
  }
  return Type.Object(properties, { title: `${meta.name}Create`, additionalProperties: false });
}

function updateSchema(meta: ModelMeta): ModelSchema {
  const properties: Record<string, FieldSchema> = {};
  for (const field of meta.concreteFields)
    if (isWritable(field) && !field.primaryKey)
      properties[field.attribute] = Type.Optional(field.writeSchema());
  return Type.Object(properties, { title: `${meta.name}Update`, additionalProperties: false });
}

/**
 * The lazily built, cached schemas of a model (what `Model.schema` is).
 *
 * @example
 * ```ts
 * app.post('/books', { body: Book.schema.create, response: { 201: Book.schema.read } }, handler);
 * ```
 */
export function modelSchemas<F extends FieldMap>(meta: ModelMeta): ModelSchemas<F> {
  let read: ModelSchema | undefined;
  let create: ModelSchema | undefined;
  let update: ModelSchema | undefined;
  return Object.freeze({
    get read(): any {
      read ??= readSchema(meta);
      return read;
    },
    get create(): any {
      create ??= createSchema(meta);
      return create;
    },
    get update(): any {
      update ??= updateSchema(meta);
      return update;
    },
    readWith(relations: unknown): any {
      read ??= readSchema(meta);
      return readWith(meta, read, relations);
    },
  });
}
