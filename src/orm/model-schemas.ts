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
import { type TObject, type TOptional, type TProperties, type TUnsafe, Type } from 'typebox';
import type { AnyField, FieldSchema } from './fields/field.ts';
import type { ModelMeta } from './meta.ts';
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

/**
 * The three schemas of a model, typed from its fields: a route with `body: Book.schema.create`
 * gets `ctx.body: CreateInput<typeof Book>`.
 */
export interface ModelSchemas<F extends FieldMap = FieldMap> {
  /** A row as returned to clients (no `writeOnly` fields). */
  readonly read: Typed<F, ReadRowOf<F>>;
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
  });
}
