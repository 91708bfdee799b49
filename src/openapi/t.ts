/**
 * `t`: the schema builder (TypeBox). One declaration is a TypeScript type, a JSON Schema,
 * a validator and an OpenAPI schema.
 *
 * @example
 * ```ts
 * const Item = t.Object({ name: t.String({ minLength: 1 }), price: t.Number({ exclusiveMinimum: 0 }) });
 * type Item = Static<typeof Item>;
 * ```
 */

export type { Static, TObject, TSchema } from 'typebox';
export { Type as t } from 'typebox';
