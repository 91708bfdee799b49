/**
 * From TypeBox schemas to the plain JSON Schema of an OpenAPI document: TypeBox's markers
 * dropped, schemas with an `$id` collected once as named components and referenced.
 */
import type { TSchema } from 'typebox';

/** A JSON Schema (2020-12, OpenAPI 3.1's dialect) as plain JSON. */
export type JsonSchema = { [keyword: string]: unknown };

/** Error codes of {@link OpenApiError}. */
export type OpenApiErrorCode =
  | 'VOLT_OPENAPI_DUPLICATE_OPERATION_ID'
  | 'VOLT_OPENAPI_UNKNOWN_SECURITY_SCHEME'
  | 'VOLT_OPENAPI_SCHEMA_ID_CONFLICT';

/** Thrown when the routes cannot be described by one valid document; the message names the fix. */
export class OpenApiError extends Error {
  /** A stable code for the kind of mistake. */
  readonly code: OpenApiErrorCode;
  constructor(code: OpenApiErrorCode, message: string) {
    super(message);
    this.name = 'OpenApiError';
    this.code = code;
  }
}

const COMPONENT_PREFIX = '#/components/schemas/';
// Component names allowed by OpenAPI; a schema `$id` of this shape becomes a named component.
const COMPONENT_NAME = /^[A-Za-z0-9._-]+$/;

/** Keywords whose value is a map of names to schemas. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
/** Keywords whose value is a schema or a list of schemas. */
const SCHEMA_VALUES = new Set([
  ...['items', 'prefixItems', 'additionalItems', 'contains', 'unevaluatedItems', 'contentSchema'],
  ...['allOf', 'anyOf', 'oneOf', 'not', 'if', 'then', 'else'],
  ...['additionalProperties', 'propertyNames', 'unevaluatedProperties'],
]);

/**
 * Turns TypeBox schemas into plain JSON Schema and collects the named ones (`$id`) as
 * components, so a model used by many routes is described once.
 */
export class SchemaCollector {
  readonly components: Record<string, JsonSchema> = {};
  readonly #json = new Map<string, string>();

  /** The plain JSON form of `schema`, with named sub-schemas replaced by references. */
  convert(schema: TSchema): JsonSchema {
    // JSON drops TypeBox's non-enumerable `~kind`/`~optional` markers.
    return this.#visit(JSON.parse(JSON.stringify(schema)) as JsonSchema);
  }

  /** Adds a component under a fixed name and returns a reference to it. */
  named(name: string, schema: TSchema): JsonSchema {
    return this.#register(name, this.convert(schema));
  }

  #visit(node: JsonSchema): JsonSchema {
    const out: JsonSchema = {};
    for (const [key, value] of Object.entries(node)) {
      if (SCHEMA_MAPS.has(key) && isObject(value)) {
        out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.#visitAny(v)]));
      } else if (SCHEMA_VALUES.has(key)) {
        out[key] = Array.isArray(value) ? value.map((v) => this.#visitAny(v)) : this.#visitAny(value);
      } else if (key === '$ref' && typeof value === 'string' && COMPONENT_NAME.test(value)) {
        // TypeBox's `t.Ref('Item')` points at the schema whose `$id` is `Item`.
        out[key] = COMPONENT_PREFIX + value;
      } else {
        out[key] = value;
      }
    }
    const id = out.$id;
    if (typeof id === 'string' && COMPONENT_NAME.test(id)) {
      const { $id: _, ...rest } = out;
      return this.#register(id, rest);
    }
    return out;
  }

  #visitAny(value: unknown): unknown {
    return isObject(value) ? this.#visit(value) : value;
  }

  #register(name: string, schema: JsonSchema): JsonSchema {
    const json = JSON.stringify(schema);
    const seen = this.#json.get(name);
    if (seen !== undefined && seen !== json) {
      throw new OpenApiError(
        'VOLT_OPENAPI_SCHEMA_ID_CONFLICT',
        `Two different schemas have the $id "${name}"; give each schema its own $id.`,
      );
    }
    this.#json.set(name, json);
    this.components[name] = schema;
    return { $ref: COMPONENT_PREFIX + name };
  }
}

export function isObject(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
