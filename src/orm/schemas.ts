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
import { type TObject, Type } from 'typebox';
import type { AnyField, FieldSchema } from './fields/field.ts';
import type { ModelMeta } from './meta.ts';

/** An object schema whose keywords and properties' keywords can be read directly. */
export type ModelSchema = TObject<Record<string, FieldSchema>> & Record<string, any>;

/** The three schemas of a model. */
export interface ModelSchemas {
  /** A row as returned to clients. */
  readonly read: ModelSchema;
  /** The body of a create. */
  readonly create: ModelSchema;
  /** The body of a (partial) update. */
  readonly update: ModelSchema;
}

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
export function modelSchemas(meta: ModelMeta): ModelSchemas {
  let read: ModelSchema | undefined;
  let create: ModelSchema | undefined;
  let update: ModelSchema | undefined;
  return Object.freeze({
    get read() {
      read ??= readSchema(meta);
      return read;
    },
    get create() {
      create ??= createSchema(meta);
      return create;
    },
    get update() {
      update ??= updateSchema(meta);
      return update;
    },
  });
}
