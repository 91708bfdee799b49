/**
 * Turns a declared route into a Fastify route, once, at startup: validators compiled,
 * dependency order computed, schemas merged. The per-request function only runs them.
 */
import { parseCookie } from 'cookie';
import type { FastifyReply, FastifyRequest, RouteOptions as FastifyRouteOptions } from 'fastify';
import type { TObject, TSchema } from 'typebox';
import { Context } from './context.ts';
import { type Dependency, flattenDependencies, resolveDependency } from './dependencies.ts';
import { type FieldError, RequestValidationError } from './errors.ts';
import type { RouteRecord } from './route.ts';
import { isStreamBody } from './streaming.ts';
import { compilePart } from './validation.ts';

/** The schemas of a route after its dependencies' own query, header and cookie schemas were merged in. */
export interface EffectiveSchemas {
  params: TObject | undefined;
  query: TObject | undefined;
  headers: TObject | undefined;
  cookies: TObject | undefined;
  body: TSchema | undefined;
  /** Every dependency the route resolves, in resolution order. */
  dependencies: Dependency[];
}

function mergeObjects(own: TObject | undefined, extra: Array<TObject | undefined>): TObject | undefined {
  const parts = extra.filter((s): s is TObject => s !== undefined);
  if (parts.length === 0) return own;
  const properties: Record<string, TSchema> = {};
  const required = new Set<string>();
  for (const schema of [...parts, ...(own ? [own] : [])]) {
    Object.assign(properties, schema.properties);
    for (const name of (schema as { required?: string[] }).required ?? []) required.add(name);
  }
  // The route's own keywords (`additionalProperties: false`, a description) still apply.
  const merged: Record<string, unknown> = { ...own, type: 'object', properties };
  if (required.size > 0) merged.required = [...required];
  else delete merged.required;
  return merged as unknown as TObject;
}

/** Computes a route's effective schemas (also used by the OpenAPI document). */
export function effectiveSchemas(route: RouteRecord): EffectiveSchemas {
  const { options } = route;
  const roots = [
    ...route.dependencies,
    ...(options.dependencies ?? []),
    ...Object.values(options.deps ?? {}),
  ];
  const dependencies = flattenDependencies(roots as Dependency[]);
  return {
    params: options.params,
    query: mergeObjects(
      options.query,
      dependencies.map((d) => d.query),
    ),
    headers: mergeObjects(
      options.headers,
      dependencies.map((d) => d.headers),
    ),
    cookies: mergeObjects(
      options.cookies,
      dependencies.map((d) => d.cookies),
    ),
    body: options.body,
    dependencies,
  };
}

/** What the compiled handler needs from the app at request time. */
export interface RouteRuntime {
  /** Dependency overrides set by tests; empty in production. */
  overrides: ReadonlyMap<Dependency, Dependency>;
}

/** Compiles a declared route into a Fastify route definition. */
export function compileRoute(route: RouteRecord, runtime: RouteRuntime): FastifyRouteOptions {
  const schemas = effectiveSchemas(route);
  const vParams = schemas.params && compilePart('path', schemas.params);
  const vQuery = schemas.query && compilePart('query', schemas.query);
  const vHeaders = schemas.headers && compilePart('header', schemas.headers);
  const vCookies = schemas.cookies && compilePart('cookie', schemas.cookies);
  const vBody = schemas.body && compilePart('body', schemas.body);
  const effectDeps = flattenDependencies([...route.dependencies, ...(route.options.dependencies ?? [])]);
  const namedDeps = Object.entries(route.options.deps ?? {}) as Array<[string, Dependency]>;
  const hasDeps = effectDeps.length > 0 || namedDeps.length > 0;
  const defaultStatus = route.options.status;
  const userHandler = route.handler;
  const { overrides } = runtime;

  const validate = (request: FastifyRequest): unknown => {
    let errors: FieldError[] | undefined;
    const add = (found: FieldError[] | undefined) => {
      if (found) errors = errors ? errors.concat(found) : found;
    };
    if (vParams) add(vParams(request.params));
    if (vQuery) add(vQuery(request.query));
    if (vHeaders) add(vHeaders(request.headers));
    let cookies: unknown;
    if (vCookies) {
      const header = request.headers.cookie;
      cookies = header ? parseCookie(header) : {};
      add(vCookies(cookies));
    }
    if (vBody) add(vBody(request.body));
    if (errors) throw new RequestValidationError(errors);
    return cookies;
  };

  const needsValidation = Boolean(vParams || vQuery || vHeaders || vCookies || vBody);

  async function resolveDependencies(ctx: Context): Promise<void> {
    const cache = new Map<Dependency, unknown>();
    for (const dep of effectDeps) await resolveDependency(ctx, dep, cache, overrides);
    if (namedDeps.length > 0) {
      const values: Record<string, unknown> = {};
      for (const [name, dep] of namedDeps) values[name] = await resolveDependency(ctx, dep, cache, overrides);
      ctx.deps = values;
    }
  }

  async function handler(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const cookies = needsValidation ? validate(request) : undefined;
    const ctx = new Context(request, reply);
    if (cookies !== undefined) ctx.setCookies(cookies);
    let result: unknown;
    try {
      if (hasDeps) await resolveDependencies(ctx);
      result = await userHandler(ctx);
    } catch (error) {
      // Work queued for after a success (a welcome e-mail) must not follow a failure.
      ctx.cancelBackground();
      throw error;
    }
    if (reply.sent) return reply;
    const status = ctx.statusCode ?? defaultStatus;
    if (status !== undefined) reply.code(status);
    if (result === undefined) {
      if (status === undefined) reply.code(204);
      return reply.send();
    }
    if (isStreamBody(result)) {
      reply.header('content-type', result.contentType);
      if (result.contentType.startsWith('text/event-stream')) {
        reply.header('cache-control', 'no-cache');
        // Keeps reverse proxies (nginx) from buffering the event stream.
        reply.header('x-accel-buffering', 'no');
      }
      return reply.send(result.open(request.log));
    }
    return result;
  }

  const definition: FastifyRouteOptions = {
    method: route.method,
    url: route.path,
    handler,
  };
  if (route.options.response) definition.schema = { response: route.options.response };
  if (route.options.bodyLimit !== undefined) definition.bodyLimit = route.options.bodyLimit;
  return definition;
}
