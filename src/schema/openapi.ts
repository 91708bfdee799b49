/**
 * The OpenAPI 3.1 document of an app, built from its declared routes: the same TypeBox
 * schemas that validate requests describe them, so the docs cannot drift from the code.
 */
import { STATUS_CODES } from 'node:http';
import type { TObject, TSchema } from 'typebox';
import type { VoltApp } from '../http/app.ts';
import { effectiveSchemas } from '../http/compile.ts';
import type { Dependency } from '../http/dependencies.ts';
import type { HttpMethod, RouteRecord, SecurityRequirement } from '../http/route.ts';
import { t } from './t.ts';

/** A JSON Schema (2020-12, OpenAPI 3.1's dialect) as plain JSON. */
export type JsonSchema = { [keyword: string]: unknown };

/** Where a parameter is read from. */
export type ParameterLocation = 'path' | 'query' | 'header' | 'cookie';

/** An OpenAPI parameter object. */
export interface OpenApiParameter {
  name: string;
  in: ParameterLocation;
  required: boolean;
  description?: string;
  deprecated?: boolean;
  schema: JsonSchema;
}

/** An OpenAPI media type object. */
export interface OpenApiMediaType {
  schema: JsonSchema;
}

/** An OpenAPI request body object. */
export interface OpenApiRequestBody {
  required: boolean;
  content: Record<string, OpenApiMediaType>;
}

/** An OpenAPI response object. */
export interface OpenApiResponse {
  description: string;
  content?: Record<string, OpenApiMediaType>;
}

/** An OpenAPI operation object. */
export interface OpenApiOperation {
  operationId: string;
  summary?: string;
  description?: string;
  tags?: string[];
  deprecated?: boolean;
  parameters?: OpenApiParameter[];
  requestBody?: OpenApiRequestBody;
  responses: Record<string, OpenApiResponse>;
  security?: SecurityRequirement[];
}

/** The operations of one path, by lower-case method. */
export type OpenApiPathItem = Partial<Record<Lowercase<HttpMethod>, OpenApiOperation>>;

/** An OpenAPI 3.1 document, as served at `/openapi.json`. */
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description?: string };
  tags?: Array<{ name: string }>;
  paths: Record<string, OpenApiPathItem>;
  components?: {
    schemas?: Record<string, JsonSchema>;
    securitySchemes?: Record<string, Record<string, unknown>>;
  };
}

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
// OpenAPI ignores header parameters with these names: they are described by other fields.
const RESERVED_HEADERS = new Set(['accept', 'content-type', 'authorization']);
const NO_CONTENT = new Set([204, 205, 304]);

const FieldErrorSchema = t.Object({
  loc: t.Array(t.Union([t.String(), t.Integer()]), { description: 'Path to the failing value.' }),
  msg: t.String({ description: 'A sentence a person can read.' }),
  type: t.String({ description: 'A stable machine-readable code, e.g. `missing`.' }),
});
const problemProperties = {
  type: t.String({ description: 'A URI identifying the problem type.' }),
  title: t.String(),
  status: t.Integer(),
  detail: t.Optional(t.String()),
};
/** RFC 9457 problem details, the body of every Volt error. */
const ProblemDetailsSchema = t.Object(
  { ...problemProperties, errors: t.Optional(t.Array(FieldErrorSchema)) },
  { description: 'An RFC 9457 problem details object.' },
);
/** The 422 body: problem details that list every failing field. */
const ValidationProblemSchema = t.Object(
  { ...problemProperties, errors: t.Array(FieldErrorSchema) },
  {
    description: 'The request failed validation; `errors` lists every failing field.',
    examples: [
      {
        type: 'about:blank',
        title: 'Unprocessable Content',
        status: 422,
        detail: 'The request is not valid.',
        errors: [
          {
            loc: ['query', 'limit'],
            msg: 'Input should be greater than or equal to 1',
            type: 'greater_than_equal',
          },
        ],
      },
    ],
  },
);

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
class SchemaCollector {
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

function isObject(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Converts a path in Volt's syntax (`/users/:id`, `/files/*`, `/at/:hour(^\\d+)h`) to an
 * OpenAPI template (`/users/{id}`) and lists its parameter names in order.
 */
export function toOpenApiPath(path: string): { path: string; params: string[] } {
  const params: string[] = [];
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const char = path[i]!;
    if (char === ':' && path[i + 1] === ':') {
      out += ':'; // `::` is a literal colon
      i++;
    } else if (char === ':') {
      let name = '';
      while (i + 1 < path.length && /[\w$]/.test(path[i + 1]!)) name += path[++i];
      if (path[i + 1] === '(') i = skipRegex(path, i + 1);
      if (path[i + 1] === '?') i++;
      params.push(name);
      out += `{${name}}`;
    } else if (char === '*') {
      params.push('*');
      out += '{*}';
    } else {
      out += char;
    }
  }
  return { path: out, params };
}

/** Returns the index of the `)` closing the regex that opens at `start`. */
function skipRegex(path: string, start: number): number {
  let depth = 0;
  for (let i = start; i < path.length; i++) {
    if (path[i] === '\\') i++;
    else if (path[i] === '(') depth++;
    else if (path[i] === ')' && --depth === 0) return i;
  }
  return path.length - 1;
}

/**
 * A stable operation id from the method and path: `GET /notes/:id/tags` → `getNotesByIdTags`.
 */
export function deriveOperationId(method: HttpMethod, path: string): string {
  const words: string[] = [method.toLowerCase()];
  for (const segment of toOpenApiPath(path).path.split('/')) {
    for (const part of segment.split(/(\{[^}]*\})/)) {
      const param = /^\{(.*)\}$/.exec(part);
      const text = param ? `by ${param[1] === '*' ? 'path' : param[1]}` : part;
      for (const word of text.split(/[^A-Za-z0-9]+/)) if (word) words.push(capitalize(word));
    }
  }
  if (words.length === 1) words.push('Root');
  return words.join('');
}

function capitalize(word: string): string {
  return word[0]!.toUpperCase() + word.slice(1);
}

/** Builds one location's parameters from an object schema's properties. */
function parametersOf(
  location: Exclude<ParameterLocation, 'path'>,
  schema: TObject | undefined,
  schemas: SchemaCollector,
): OpenApiParameter[] {
  if (!schema) return [];
  const required = new Set((schema as { required?: string[] }).required ?? []);
  const result: OpenApiParameter[] = [];
  for (const [name, property] of Object.entries(schema.properties as Record<string, TSchema>)) {
    if (location === 'header' && RESERVED_HEADERS.has(name.toLowerCase())) continue;
    const json = schemas.convert(property);
    // A parameter with a default is filled in by validation, so a client may leave it out.
    result.push(parameter(name, location, required.has(name) && json.default === undefined, json));
  }
  return result;
}

/** A parameter object; `description` and `deprecated` move from the schema to the parameter. */
function parameter(
  name: string,
  location: ParameterLocation,
  required: boolean,
  json: JsonSchema,
): OpenApiParameter {
  const { description, deprecated, ...schema } = json;
  const result: OpenApiParameter = { name, in: location, required, schema };
  if (typeof description === 'string') result.description = description;
  if (deprecated === true) result.deprecated = true;
  return result;
}

function pathParameters(
  names: string[],
  schema: TObject | undefined,
  schemas: SchemaCollector,
): OpenApiParameter[] {
  const properties = (schema?.properties ?? {}) as Record<string, TSchema>;
  return names.map((name) => {
    const property = properties[name];
    return parameter(name, 'path', true, property ? schemas.convert(property) : { type: 'string' });
  });
}

function responseDescription(route: RouteRecord, status: number): string {
  return route.options.responseDescriptions?.[status] ?? STATUS_CODES[status] ?? `Status ${status}`;
}

function problemResponse(description: string, schema: JsonSchema): OpenApiResponse {
  return { description, content: { 'application/problem+json': { schema } } };
}

/**
 * The declared responses; a default success response when none is declared; error statuses
 * that only have a description, as problem details; and the 422 of a route that validates.
 */
function responsesOf(
  route: RouteRecord,
  validates: boolean,
  schemas: SchemaCollector,
): Record<string, OpenApiResponse> {
  const { response = {}, status = 200 } = route.options;
  const responseDescriptions = describedResponses(route);
  const responses: Record<string, OpenApiResponse> = {};
  for (const [key, schema] of Object.entries(response as Record<string, TSchema>)) {
    const code = Number(key);
    responses[key] = NO_CONTENT.has(code)
      ? { description: responseDescription(route, code) }
      : {
          description: responseDescription(route, code),
          content: { 'application/json': { schema: schemas.convert(schema) } },
        };
  }
  if (!Object.keys(responses).some((key) => key.startsWith('2'))) {
    responses[String(status)] = { description: responseDescription(route, status) };
  }
  for (const [key, description] of Object.entries(responseDescriptions)) {
    if (responses[key] || Number(key) < 400 || (validates && key === '422')) continue;
    responses[key] = problemResponse(description, schemas.named('ProblemDetails', ProblemDetailsSchema));
  }
  if (validates && !responses['422']) {
    schemas.named('ProblemDetails', ProblemDetailsSchema);
    const description = responseDescriptions[422] ?? 'Validation Error';
    responses['422'] = problemResponse(
      description,
      schemas.named('ValidationProblem', ValidationProblemSchema),
    );
  }
  return responses;
}

/** The request body's media types, each with the body's schema (converted once). */
function bodyContent(types: readonly string[], schema: JsonSchema): Record<string, { schema: JsonSchema }> {
  return Object.fromEntries(types.map((type) => [type, { schema }]));
}

/** Response descriptions of a route: those its dependencies declare, then its own (which win). */
function describedResponses(route: RouteRecord): Record<number, string> {
  const described: Record<number, string> = {};
  for (const dep of effectiveSchemas(route).dependencies) Object.assign(described, dep.responses);
  return Object.assign(described, route.options.responseDescriptions);
}

/** The security requirements the route's dependencies declare (each listed once), if any. */
function dependencySecurity(dependencies: readonly Dependency[]): SecurityRequirement[] | undefined {
  const found = new Map<string, SecurityRequirement>();
  for (const dep of dependencies)
    for (const requirement of dep.security ?? []) found.set(JSON.stringify(requirement), requirement);
  return found.size > 0 ? [...found.values()] : undefined;
}

function checkSecurity(
  route: RouteRecord,
  security: SecurityRequirement[],
  schemes: Record<string, unknown>,
): void {
  for (const requirement of security) {
    for (const name of Object.keys(requirement)) {
      if (!(name in schemes)) {
        throw new OpenApiError(
          'VOLT_OPENAPI_UNKNOWN_SECURITY_SCHEME',
          `${route.method} ${route.path} requires the security scheme "${name}", which is not declared: ` +
            `add it to volt({ securitySchemes: { ${name}: … } }).`,
        );
      }
    }
  }
}

function operationOf(route: RouteRecord, app: VoltApp, schemas: SchemaCollector): OpenApiOperation {
  const { options } = route;
  const effective = effectiveSchemas(route);
  const tags = [...new Set([...route.tags, ...(options.tags ?? [])])];
  const parameters = [
    ...pathParameters(toOpenApiPath(route.path).params, effective.params, schemas),
    ...parametersOf('query', effective.query, schemas),
    ...parametersOf('header', effective.headers, schemas),
    ...parametersOf('cookie', effective.cookies, schemas),
  ];
  const validates = Boolean(
    effective.params || effective.query || effective.headers || effective.cookies || effective.body,
  );
  const security = options.security ?? dependencySecurity(effective.dependencies) ?? app.security;
  if (security) checkSecurity(route, security, app.securitySchemes);
  // Built in one literal so the JSON reads in the usual order.
  return {
    operationId: options.operationId ?? deriveOperationId(route.method, route.path),
    ...(options.summary ? { summary: options.summary } : {}),
    ...(options.description ? { description: options.description } : {}),
    ...(tags.length > 0 ? { tags } : {}),
    ...(options.deprecated ? { deprecated: true } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(effective.body
      ? {
          requestBody: {
            required: true,
            content: bodyContent(options.bodyTypes ?? ['application/json'], schemas.convert(effective.body)),
          },
        }
      : {}),
    responses: responsesOf(route, validates, schemas),
    ...(security ? { security } : {}),
  };
}

/**
 * Builds the OpenAPI 3.1 document of an app from its routes (`app.routes`).
 *
 * Path, query, header and cookie parameters come from the route's schemas merged with those
 * of its dependencies; the body and responses from `body` and `response`. Routes that
 * validate input document a 422 `application/problem+json` response. Routes with
 * `hidden: true` are left out; schemas with an `$id` become named components.
 *
 * @throws {OpenApiError} on a duplicate `operationId`, an undeclared security scheme, or two
 * different schemas sharing one `$id`.
 *
 * @example
 * ```ts
 * const app = volt({ info: { title: 'Shop', version: '1.0.0' } });
 * app.get('/items/:id', { params: t.Object({ id: t.Integer() }) }, (ctx) => ({ id: ctx.params.id }));
 * const doc = openapiDocument(app);
 * doc.paths['/items/{id}']?.get?.operationId; // 'getItemsById'
 * ```
 */
export function openapiDocument(app: VoltApp): OpenApiDocument {
  const schemas = new SchemaCollector();
  const paths: Record<string, OpenApiPathItem> = {};
  const tags = new Set<string>();
  const operationIds = new Map<string, RouteRecord>();

  for (const route of app.routes) {
    if (route.options.hidden) continue;
    const operation = operationOf(route, app, schemas);
    const clash = operationIds.get(operation.operationId);
    if (clash) {
      throw new OpenApiError(
        'VOLT_OPENAPI_DUPLICATE_OPERATION_ID',
        `The operationId "${operation.operationId}" is used by ${clash.method} ${clash.path} and by ` +
          `${route.method} ${route.path}; give one of them its own \`operationId\`.`,
      );
    }
    operationIds.set(operation.operationId, route);
    for (const tag of operation.tags ?? []) tags.add(tag);
    const key = toOpenApiPath(route.path).path;
    paths[key] = { ...paths[key], [route.method.toLowerCase()]: operation };
  }

  const { title, version, description } = app.info;
  const document: OpenApiDocument = {
    openapi: '3.1.0',
    info: description ? { title, version, description } : { title, version },
    paths,
  };
  if (tags.size > 0) document.tags = [...tags].map((name) => ({ name }));
  const components: NonNullable<OpenApiDocument['components']> = {};
  if (Object.keys(schemas.components).length > 0) components.schemas = schemas.components;
  if (Object.keys(app.securitySchemes).length > 0) components.securitySchemes = app.securitySchemes;
  if (Object.keys(components).length > 0) document.components = components;
  return document;
}
