/**
 * The responses of an operation besides those a route declares: the error responses every
 * operation can answer whatever it declares (a malformed request, a body too large, a server
 * error…), described once under `components.responses` and referenced from each operation they
 * apply to; the problem-details schemas; and the media type of the success response.
 */
import type { TSchema } from 'typebox';
import type { OpenApiMediaType, OpenApiReference, OpenApiResponse } from './openapi.ts';
import type { JsonSchema, SchemaCollector } from './openapi-schemas.ts';

// Plain JSON Schema, not `t`: the document is built at every start (docs on), and TypeBox is
// loaded only by an app that declares schemas (see ./t.ts).
const FieldErrorSchema = {
  type: 'object',
  required: ['loc', 'msg', 'type'],
  properties: {
    loc: {
      type: 'array',
      items: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
      description: 'Path to the failing value.',
    },
    msg: { type: 'string', description: 'A sentence a person can read.' },
    type: { type: 'string', description: 'A stable machine-readable code, e.g. `missing`.' },
  },
};

const problemProperties = {
  type: { type: 'string', description: 'A URI identifying the problem type.' },
  title: { type: 'string' },
  status: { type: 'integer' },
  code: {
    type: 'string',
    description:
      'Stable code of the problem, e.g. `VOLT_HTTP_VALIDATION`: match on it, not on `detail` (the list: docs/reference/errors.md).',
  },
  detail: { type: 'string' },
  instance: {
    type: 'string',
    description:
      'On server errors: `urn:volt:request:<id>`, the request id of the log lines (also in `X-Request-Id`).',
  },
};

/** RFC 9457 problem details, the body of every Volt error. */
export const ProblemDetailsSchema: TSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'code'],
  properties: { ...problemProperties, errors: { type: 'array', items: FieldErrorSchema } },
  description: 'An RFC 9457 problem details object.',
};

/** The 422 body: problem details that list every failing field. */
export const ValidationProblemSchema: TSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'code', 'errors'],
  properties: { ...problemProperties, errors: { type: 'array', items: FieldErrorSchema } },
  description: 'The request failed validation; `errors` lists every failing field.',
  examples: [
    {
      type: 'about:blank',
      title: 'Unprocessable Content',
      status: 422,
      code: 'VOLT_HTTP_VALIDATION',
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
};

/** Which operations a shared response applies to. */
export type SharedResponseScope = 'every' | 'body' | 'path-parameters' | 'validates' | 'unsafe-method';

/** One shared error response: its component name, status, description and where it applies. */
export interface SharedResponse {
  name: string;
  status: number;
  description: string;
  /** `ValidationProblem` for the 422, `ProblemDetails` otherwise. */
  schema: 'ProblemDetails' | 'ValidationProblem';
  scope: SharedResponseScope;
  /** Response headers besides `X-Request-Id`. */
  headers?: Record<string, { description: string; schema: JsonSchema }>;
}

/** The shared error responses, in the order operations list them. */
const SHARED_RESPONSES: readonly SharedResponse[] = [
  {
    name: 'BadRequest',
    status: 400,
    description:
      'The request is malformed: a URL or body that cannot be parsed, no Host header, or a Host the server does not answer to.',
    schema: 'ProblemDetails',
    scope: 'every',
  },
  {
    name: 'CrossSiteRequestRefused',
    status: 403,
    description:
      'A browser sent the request for another site (`Sec-Fetch-Site`), or a request with the session cookie failed the CSRF check.',
    schema: 'ProblemDetails',
    scope: 'unsafe-method',
  },
  {
    name: 'RequestTimeout',
    status: 408,
    description:
      'The request was not received in time: its headers within HEADERS_TIMEOUT, all of it within REQUEST_TIMEOUT. The connection is closed.',
    schema: 'ProblemDetails',
    scope: 'every',
  },
  {
    name: 'ContentTooLarge',
    status: 413,
    description: 'The request body is larger than the limit.',
    schema: 'ProblemDetails',
    scope: 'body',
  },
  {
    name: 'UriTooLong',
    status: 414,
    description: 'A path parameter is longer than the limit.',
    schema: 'ProblemDetails',
    scope: 'path-parameters',
  },
  {
    name: 'UnsupportedMediaType',
    status: 415,
    description: "The body's media type is not one the operation accepts.",
    schema: 'ProblemDetails',
    scope: 'body',
  },
  {
    name: 'ExpectationFailed',
    status: 417,
    description: 'The request has an `Expect` header other than `100-continue`.',
    schema: 'ProblemDetails',
    scope: 'every',
  },
  {
    name: 'ValidationError',
    status: 422,
    description: 'Validation Error',
    schema: 'ValidationProblem',
    scope: 'validates',
  },
  {
    name: 'RequestHeaderFieldsTooLarge',
    status: 431,
    description: 'The request headers are larger than the limit. The connection is closed.',
    schema: 'ProblemDetails',
    scope: 'every',
  },
  {
    name: 'InternalServerError',
    status: 500,
    description: 'The server could not complete the request; `instance` names the request for its logs.',
    schema: 'ProblemDetails',
    scope: 'every',
  },
  {
    name: 'ServiceUnavailable',
    status: 503,
    description: 'The server is shutting down or a service it needs is busy; retry later.',
    schema: 'ProblemDetails',
    scope: 'every',
    headers: {
      'Retry-After': {
        description: 'Seconds to wait before retrying, when known.',
        schema: { type: 'integer', minimum: 0 },
      },
    },
  },
];

/** The `X-Request-Id` header every error response carries. */
export const REQUEST_ID_HEADER = {
  description: 'The id of the request in the server logs.',
  schema: { type: 'string' },
};

/** Statuses whose responses have no body. */
export const NO_CONTENT = new Set([204, 205, 304]);

/** Which scopes of shared responses apply to an operation. */
export type SharedResponseScopes = Record<SharedResponseScope, boolean>;

/**
 * The shared responses the operations of one document use: each operation gets a reference to
 * every one that applies to it (unless it documents that status itself), and the document's
 * `components.responses` lists those referenced, once.
 */
export class SharedResponses {
  readonly #used = new Set<SharedResponse>();

  /** Adds `{ $ref }` entries to an operation's responses for the shared responses that apply. */
  addTo(responses: Record<string, OpenApiResponse | OpenApiReference>, scopes: SharedResponseScopes): void {
    for (const shared of SHARED_RESPONSES) {
      const key = String(shared.status);
      if (!scopes[shared.scope] || responses[key]) continue;
      responses[key] = { $ref: `#/components/responses/${shared.name}` };
      this.#used.add(shared);
    }
  }

  /** The `components.responses` entries of the shared responses referenced, if any. */
  components(schemas: SchemaCollector): Record<string, OpenApiResponse> | undefined {
    if (this.#used.size === 0) return undefined;
    const components: Record<string, OpenApiResponse> = {};
    for (const shared of SHARED_RESPONSES) {
      if (!this.#used.has(shared)) continue;
      components[shared.name] = {
        description: shared.description,
        headers: { 'X-Request-Id': REQUEST_ID_HEADER, ...shared.headers },
        content: { 'application/problem+json': { schema: problemSchema(shared.schema, schemas) } },
      };
    }
    return components;
  }
}

/** A reference to one of the two problem schemas, registered as a component. */
export function problemSchema(
  name: 'ProblemDetails' | 'ValidationProblem',
  schemas: SchemaCollector,
): JsonSchema {
  return schemas.named(name, name === 'ProblemDetails' ? ProblemDetailsSchema : ValidationProblemSchema);
}

// Media types whose bodies are text: a string schema describes them. Others are bytes, which
// OpenAPI 3.1 describes with no schema at all.
const TEXTUAL = /^(text\/|application\/([\w.+-]+\+)?(json|xml|javascript|x-ndjson|jsonl|yaml)$)/;

/** A media type without its parameters, in lower case: `text/csv; charset=utf-8` → `text/csv`. */
function bareMediaType(contentType: string): string {
  return contentType.split(';', 1)[0]!.trim().toLowerCase();
}

/**
 * The content of a success response, in the media type the route sends: Server-Sent Events
 * when it declares `events` (or `contentType: 'text/event-stream'`), its declared
 * `contentType`, `text/plain` for a string schema (Fastify sends strings as text), JSON
 * otherwise; `undefined` when nothing says what the body is.
 */
export function successContent(
  declared: { contentType?: string | undefined; events?: TSchema | undefined },
  schema: TSchema | undefined,
  schemas: SchemaCollector,
): Record<string, OpenApiMediaType> | undefined {
  const type = declared.contentType === undefined ? undefined : bareMediaType(declared.contentType);
  if (declared.events || type === 'text/event-stream') {
    return { 'text/event-stream': { schema: eventStreamSchema(declared.events, schemas) } };
  }
  if (type !== undefined) {
    if (schema) return { [type]: { schema: schemas.convert(schema) } };
    return { [type]: TEXTUAL.test(type) ? { schema: { type: 'string' } } : {} };
  }
  if (!schema) return undefined;
  const json = schemas.convert(schema);
  return { [json.type === 'string' ? 'text/plain' : 'application/json']: { schema: json } };
}

/**
 * An SSE stream as OpenAPI 3.1 can say it: the list of its events, each an object of the SSE
 * fields, whose `data` is JSON matching the route's `events` schema (or the string itself when
 * that schema is a string). Without `events`, a string.
 */
function eventStreamSchema(events: TSchema | undefined, schemas: SchemaCollector): JsonSchema {
  const description =
    'Server-Sent Events. Besides its own events, a stream may end with an `error` event ' +
    '(`{"title","status"}`) or, when the server shuts down, a `close` event (`{"reason":"shutdown"}`).';
  if (!events) return { type: 'string', description };
  const data = schemas.convert(events);
  return {
    type: 'array',
    description,
    items: {
      type: 'object',
      required: ['data'],
      properties: {
        event: { type: 'string', description: 'The event name; `message` when absent.' },
        id: { type: 'string' },
        retry: { type: 'integer', minimum: 0 },
        data:
          data.type === 'string'
            ? data
            : { type: 'string', contentMediaType: 'application/json', contentSchema: data },
      },
    },
  };
}
