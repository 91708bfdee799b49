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
import { deriveOperationId, summaryOf, toOpenApiPath } from './openapi-paths.ts';
import {
  NO_CONTENT,
  problemSchema,
  type SharedResponseScopes,
  SharedResponses,
  successContent,
} from './openapi-responses.ts';
import { type JsonSchema, OpenApiError, SchemaCollector } from './openapi-schemas.ts';

export { deriveOperationId, summaryOf, toOpenApiPath } from './openapi-paths.ts';
export { type JsonSchema, OpenApiError, type OpenApiErrorCode } from './openapi-schemas.ts';

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

/** An OpenAPI media type object; binary content has no schema. */
export interface OpenApiMediaType {
  schema?: JsonSchema;
}

/** An OpenAPI request body object. */
export interface OpenApiRequestBody {
  required: boolean;
  content: Record<string, OpenApiMediaType>;
}

/** An OpenAPI response object. */
export interface OpenApiResponse {
  description: string;
  headers?: Record<string, { description: string; schema: JsonSchema }>;
  content?: Record<string, OpenApiMediaType>;
}

/** A reference to a shared component, e.g. `{ $ref: '#/components/responses/BadRequest' }`. */
export interface OpenApiReference {
  $ref: string;
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
  responses: Record<string, OpenApiResponse | OpenApiReference>;
  security?: SecurityRequirement[];
}

/** The operations of one path, by lower-case method. */
export type OpenApiPathItem = Partial<Record<Lowercase<HttpMethod>, OpenApiOperation>>;

/** An OpenAPI 3.1 document, as served at `/openapi.json`. */
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: {
    title: string;
    version: string;
    description?: string;
    license?: { name: string; identifier?: string; url?: string };
  };
  servers: Array<{ url: string; description?: string }>;
  /** `[]` (no authentication anywhere) when the app declares no security scheme. */
  security?: SecurityRequirement[];
  tags?: Array<{ name: string; description?: string }>;
  paths: Record<string, OpenApiPathItem>;
  components?: {
    schemas?: Record<string, JsonSchema>;
    responses?: Record<string, OpenApiResponse>;
    securitySchemes?: Record<string, Record<string, unknown>>;
  };
}

// OpenAPI ignores header parameters with these names: they are described by other fields.
const RESERVED_HEADERS = new Set(['accept', 'content-type', 'authorization']);

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

// Methods whose requests carry a body even when the route declares none (Fastify reads it).
const BODY_METHODS = new Set<HttpMethod>(['POST', 'PUT', 'PATCH']);

// Methods the cross-site and CSRF checks of the security layer apply to (they answer 403).
const UNSAFE_METHODS = new Set<HttpMethod>(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The declared responses (success ones in the media type the route sends); a default success
 * response when none is declared; error statuses that only have a description, as problem
 * details; and references to the shared error responses that apply (400, 408, 417, 431 and
 * 500/503 to every operation, 403 to unsafe methods, 413/415 where a body is read, 414 where the
 * path has parameters, the 422 of a route that validates).
 */
function responsesOf(
  route: RouteRecord,
  scopes: SharedResponseScopes,
  schemas: SchemaCollector,
  shared: SharedResponses,
): Record<string, OpenApiResponse | OpenApiReference> {
  const { response = {}, status = 200 } = route.options;
  const responseDescriptions = describedResponses(route);
  const responses: Record<string, OpenApiResponse | OpenApiReference> = {};
  const declared = response as Record<string, TSchema>;
  for (const [key, schema] of Object.entries(declared)) {
    const code = Number(key);
    const result: OpenApiResponse = { description: responseDescription(route, code) };
    if (NO_CONTENT.has(code)) responses[key] = result;
    else if (code >= 200 && code < 300)
      responses[key] = withContent(result, successContent(route.options, schema, schemas));
    else responses[key] = { ...result, content: { 'application/json': { schema: schemas.convert(schema) } } };
  }
  if (!Object.keys(responses).some((key) => key.startsWith('2'))) {
    const result = { description: responseDescription(route, status) };
    responses[String(status)] = NO_CONTENT.has(status)
      ? result
      : withContent(result, successContent(route.options, undefined, schemas));
  }
  for (const [key, description] of Object.entries(responseDescriptions)) {
    if (responses[key] || Number(key) < 400 || (scopes.validates && key === '422')) continue;
    responses[key] = problemResponse(description, problemSchema('ProblemDetails', schemas));
  }
  // A route that names its own 422 keeps its description; otherwise the shared one applies.
  if (scopes.validates && responseDescriptions[422] !== undefined) {
    responses['422'] = problemResponse(
      responseDescriptions[422],
      problemSchema('ValidationProblem', schemas),
    );
  }
  shared.addTo(responses, scopes);
  return responses;
}

function withContent(
  response: OpenApiResponse,
  content: Record<string, OpenApiMediaType> | undefined,
): OpenApiResponse {
  return content ? { ...response, content } : response;
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

function operationOf(
  route: RouteRecord,
  app: VoltApp,
  schemas: SchemaCollector,
  shared: SharedResponses,
): OpenApiOperation {
  const { options } = route;
  const effective = effectiveSchemas(route);
  const tags = [...new Set([...route.tags, ...(options.tags ?? [])])];
  const pathNames = toOpenApiPath(route.path).params;
  const parameters = [
    ...pathParameters(pathNames, effective.params, schemas),
    ...parametersOf('query', effective.query, schemas),
    ...parametersOf('header', effective.headers, schemas),
    ...parametersOf('cookie', effective.cookies, schemas),
  ];
  const scopes: SharedResponseScopes = {
    every: true,
    body: effective.body !== undefined || BODY_METHODS.has(route.method),
    'path-parameters': pathNames.length > 0,
    'unsafe-method': UNSAFE_METHODS.has(route.method),
    validates: Boolean(
      effective.params || effective.query || effective.headers || effective.cookies || effective.body,
    ),
  };
  let security = options.security ?? dependencySecurity(effective.dependencies) ?? app.security;
  if (security) checkSecurity(route, security, app.securitySchemes);
  // With schemes declared, an operation that needs none says so: a reader (or a linter) can
  // then tell a public operation from one whose requirements were forgotten.
  else if (Object.keys(app.securitySchemes).length > 0) security = [];
  const operationId = options.operationId ?? deriveOperationId(route.method, route.path);
  // Built in one literal so the JSON reads in the usual order.
  return {
    operationId,
    summary: options.summary ?? summaryOf(operationId),
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
    responses: responsesOf(route, scopes, schemas, shared),
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
  const shared = new SharedResponses();
  const paths: Record<string, OpenApiPathItem> = {};
  const tags = new Set<string>();
  const operationIds = new Map<string, RouteRecord>();

  for (const route of app.routes) {
    if (route.options.hidden) continue;
    const operation = operationOf(route, app, schemas, shared);
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

  const { title, version, description, license } = app.info;
  const document: OpenApiDocument = {
    openapi: '3.1.0',
    info: { title, version, ...(description ? { description } : {}), ...(license ? { license } : {}) },
    servers: app.servers,
    paths,
  };
  const hasSchemes = Object.keys(app.securitySchemes).length > 0;
  // Nothing in the app needs authentication: said once for the whole document.
  if (!hasSchemes) document.security = [];
  if (tags.size > 0) {
    document.tags = [...tags].map((name) => {
      const tagDescription = app.tagDescriptions[name];
      return tagDescription ? { name, description: tagDescription } : { name };
    });
  }
  const components: NonNullable<OpenApiDocument['components']> = {};
  const responses = shared.components(schemas);
  if (Object.keys(schemas.components).length > 0) components.schemas = schemas.components;
  if (responses) components.responses = responses;
  if (hasSchemes) components.securitySchemes = app.securitySchemes;
  if (Object.keys(components).length > 0) document.components = components;
  return document;
}
