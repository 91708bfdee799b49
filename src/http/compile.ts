/**
 * Turns a declared route into a Fastify route, once, at startup: validators compiled,
 * dependency order computed, schemas merged. The per-request function only runs them.
 */

import { parseCookie } from 'cookie';
import type { FastifyReply, FastifyRequest, RouteOptions as FastifyRouteOptions } from 'fastify';
import type { TObject, TSchema } from 'typebox';
import { type AnyContext, Context, sharedContext } from './context.ts';
import { type Dependency, flattenDependencies, resolveInto } from './dependencies.ts';
import { sendProblem } from './error-handler.ts';
import { type FieldError, HttpError, RequestValidationError } from './errors.ts';
import { Html } from './html.ts';
import { bodyMediaTypes, mediaTypeCheck } from './media-types.ts';
import { queryTextErrors } from './query-string.ts';
import { inRequestContext } from './request-context.ts';
import type { RouteRecord } from './route.ts';
import { isSseBody, isStreamBody } from './streaming.ts';
import { nulErrors } from './text-checks.ts';
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
  // The route's own keywords (`additionalProperties: false`, a description) still apply, but not
  // its `$id`: the merged object is a new schema, and two of them with one id clash in ajv.
  const { $id: _id, ...ownKeywords } = (own ?? {}) as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...ownKeywords, type: 'object', properties };
  if (required.size > 0) merged.required = [...required];
  else delete merged.required;
  // Any part that refuses unknown names keeps refusing them: every declared name is allowed.
  if (parts.some((part) => (part as { additionalProperties?: unknown }).additionalProperties === false)) {
    merged.additionalProperties = false;
  }
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

// What `finish` returns when the handler already answered through the reply.
const ANSWERED = Symbol('answered');

// Where a Fastify route keeps the declared route it was compiled from.
const ROUTE_RECORD = Symbol('volt.route');

/**
 * The declared route a request was routed to, or `undefined` before routing or on Fastify's
 * own routes (the 404 handler). For request-time parts outside the compiled handler, such as a
 * body parser that needs the route's schema.
 *
 * @example
 * ```ts
 * fastify.addContentTypeParser('text/csv', (request, payload, done) => {
 *   const schema = routeOf(request)?.options.body;
 * });
 * ```
 */
export function routeOf(request: FastifyRequest): RouteRecord | undefined {
  return (request.routeOptions.config as { [ROUTE_RECORD]?: RouteRecord } | undefined)?.[ROUTE_RECORD];
}

/** Where the app is in its life, as the compiled handlers see it. */
export interface AppLifecycle {
  /** True from the moment `close()` begins: responses then carry `Connection: close`. */
  draining: boolean;
  /** Aborts (reason code `VOLT_SHUTDOWN`) when `close()` begins: SSE streams end on it. */
  readonly shutdown: AbortSignal;
}

/**
 * The app's request-path hooks, as the compiled handlers see them. A phase's list is replaced,
 * never changed, when a hook is added or removed: a request keeps the list it started with.
 */
export interface RouteHooks {
  request: ReadonlyArray<(ctx: AnyContext) => unknown>;
  beforeHandler: ReadonlyArray<(ctx: AnyContext) => unknown>;
  response: ReadonlyArray<(ctx: AnyContext) => unknown>;
  /** True once a `request` or `response` hook exists: the context is then kept on the request. */
  shareContext: boolean;
  /** True once `app.trackRequestContext()` was called: `currentContext()` answers in requests. */
  trackContext: boolean;
}

/** What the compiled handler needs from the app at request time. */
export interface RouteRuntime {
  /** Dependency overrides set by tests; empty in production. */
  overrides: ReadonlyMap<Dependency, Dependency>;
  lifecycle: AppLifecycle;
  /** The app's context class (its `ctx.db`, and what installed apps add); `Context` by default. */
  Context?: typeof Context;
  /** The app's hooks; none by default. */
  hooks?: RouteHooks;
}

/**
 * Runs request hooks in order; stays synchronous while they are, and returns a promise from the
 * first that returns one.
 */
export function runHooks(
  hooks: ReadonlyArray<(ctx: AnyContext) => unknown>,
  ctx: AnyContext,
  start = 0,
): Promise<void> | undefined {
  for (let i = start; i < hooks.length; i++) {
    const result = hooks[i]!(ctx);
    if (result instanceof Promise) return result.then(() => runHooks(hooks, ctx, i + 1));
  }
  return undefined;
}

/**
 * Whether a request reached the router after the app began to close: Fastify marks those
 * (and only those) with `Connection: close` as it routes them. A request that was already in
 * flight (an upload being read) is still served.
 */
function arrivedWhileClosing(reply: FastifyReply): boolean {
  return reply.raw.getHeader('connection') === 'close';
}

const SHUTTING_DOWN = 'The server is shutting down; send the request again (to another instance).';

function mergeErrors(
  errors: FieldError[] | undefined,
  found: FieldError[] | undefined,
): FieldError[] | undefined {
  if (!found) return errors;
  return errors ? errors.concat(found) : found;
}

// Fastify sends what a promise returned by the handler resolves to, and an empty body for
// `undefined`; a synchronous handler's `undefined` it leaves alone, so the empty body is sent here.
function afterAwait(payload: unknown): unknown {
  return payload === ANSWERED ? undefined : payload;
}

function withoutAwait(reply: FastifyReply, payload: unknown): unknown {
  if (payload === ANSWERED) return undefined;
  if (payload === undefined) reply.send();
  return payload;
}

/** A declared text media type gets `charset=utf-8` (what Volt writes), unless it names one. */
function withCharset(contentType: string): string {
  return /^text\//i.test(contentType) && !/;\s*charset=/i.test(contentType)
    ? `${contentType}; charset=utf-8`
    : contentType;
}

/** Compiles a declared route into a Fastify route definition. */
export function compileRoute(route: RouteRecord, runtime: RouteRuntime): FastifyRouteOptions {
  const schemas = effectiveSchemas(route);
  const vParams = schemas.params && compilePart('path', schemas.params);
  const vQuery = schemas.query && compilePart('query', schemas.query);
  const vHeaders = schemas.headers && compilePart('header', schemas.headers);
  const vCookies = schemas.cookies && compilePart('cookie', schemas.cookies);
  const vBody = schemas.body && compilePart('body', schemas.body);
  // Parameters of the path without a schema are texts the handler reads as they are: NUL is refused.
  const rawParams = !vParams && /[:*]/.test(route.path);
  const effectEntries = flattenDependencies([
    ...route.dependencies,
    ...(route.options.dependencies ?? []),
  ]).map((dep, i) => [String(i), dep] as const);
  const namedEntries = Object.entries(route.options.deps ?? {}) as Array<[string, Dependency]>;
  const hasDeps = effectEntries.length > 0 || namedEntries.length > 0;
  // A route that declares `deps: {}` reads `ctx.deps` as an (empty) object, as its type says.
  const emptyDeps = route.options.deps !== undefined && namedEntries.length === 0;
  const defaultStatus = route.options.status;
  // With success schemas declared, a success status without one would send the handler's object
  // unfiltered (a password hash included): refused at startup, and at run time it is a 500.
  const successStatuses = Object.keys(route.options.response ?? {})
    .map(Number)
    .filter((code) => code >= 200 && code < 300);
  if (successStatuses.length > 0 && !successStatuses.includes(defaultStatus ?? 200)) {
    throw new Error(
      `${route.method} ${route.path} declares response schemas for ${successStatuses.join(', ')} but answers ` +
        `${defaultStatus ?? 200} by default: declare response[${defaultStatus ?? 200}] or set \`status\``,
    );
  }
  const declaredType = route.options.contentType ? withCharset(route.options.contentType) : undefined;
  const userHandler = route.handler;
  const { overrides, lifecycle } = runtime;
  const AppContext = runtime.Context ?? Context;
  const hooks: RouteHooks = runtime.hooks ?? {
    request: [],
    beforeHandler: [],
    response: [],
    shareContext: false,
    trackContext: false,
  };

  // Collects the errors of every part, so one 422 lists them all.
  const validate = (request: FastifyRequest): unknown => {
    // Text the query parser could not decode is a 400; values with NUL join the 422 below.
    let errors = queryTextErrors(request.query);
    if (vParams) errors = mergeErrors(errors, vParams(request.params));
    else if (rawParams)
      errors = mergeErrors(errors, nulErrors('path', request.params as Record<string, unknown>));
    if (vQuery) errors = mergeErrors(errors, vQuery(request.query));
    if (vHeaders) errors = mergeErrors(errors, vHeaders(request.headers));
    let cookies: unknown;
    if (vCookies) {
      const header = request.headers.cookie;
      cookies = header ? parseCookie(header) : {};
      errors = mergeErrors(errors, vCookies(cookies));
    }
    if (vBody) errors = mergeErrors(errors, vBody(request.body));
    if (errors) throw new RequestValidationError(errors);
    return cookies;
  };

  // What Fastify is to send for what the handler returned: the data, a stream's readable, or
  // `undefined` for an empty body. Nothing is sent here: a readable sent here and `undefined`
  // returned would make Fastify, after an async handler, end the response with an empty body
  // before the stream's first chunk (it sends `undefined` for a reply whose headers are not out).
  const finish = (ctx: Context, request: FastifyRequest, reply: FastifyReply, result: unknown): unknown => {
    // The handler answered through `ctx.reply` itself.
    if (reply.sent || result === reply) return ANSWERED;
    // The client must not send another request on this connection: the server is closing it.
    if (lifecycle.draining) reply.header('connection', 'close');
    const status = ctx.statusCode ?? defaultStatus;
    if (status !== undefined) reply.code(status);
    if (
      result !== undefined &&
      status !== undefined &&
      status >= 200 &&
      status < 300 &&
      successStatuses.length > 0 &&
      !successStatuses.includes(status)
    ) {
      throw new Error(`${route.method} ${route.path} has no response schema for status ${status}`);
    }
    if (result === undefined) {
      if (status === undefined) reply.code(204);
      return undefined;
    }
    if (isStreamBody(result)) {
      reply.header('content-type', result.contentType ?? declaredType ?? 'application/octet-stream');
      // A raw stream keeps the cache headers the handler (or a guard) set: a file may be cacheable.
      if (!isSseBody(result)) return result.open(request.log);
      // An event stream is live and often per user: never stored, whatever was set before.
      reply.header('cache-control', 'no-store');
      reply.removeHeader('expires');
      // Keeps reverse proxies (nginx) from buffering the event stream.
      reply.header('x-accel-buffering', 'no');
      ctx.abortOnShutdown(lifecycle.shutdown);
      return result.open(request.log, lifecycle.shutdown);
    }
    if (result instanceof Html) {
      if (!reply.hasHeader('content-type'))
        reply.header('content-type', declaredType ?? 'text/html; charset=utf-8');
      return result.toString();
    }
    if (declaredType !== undefined && !reply.hasHeader('content-type'))
      reply.header('content-type', declaredType);
    return result;
  };

  // A failure anywhere below ends in an error response, and the context drops the background
  // work queued for after a success when it sees that status.
  const run = (ctx: Context, request: FastifyRequest, reply: FastifyReply): unknown => {
    const result = userHandler(ctx);
    if (result instanceof Promise)
      return result.then((value) => afterAwait(finish(ctx, request, reply, value)));
    return finish(ctx, request, reply, result);
  };

  // After the handler (or its failure), before the response is serialized: the context's
  // `beforeSend` tasks (auth's save of a changed `ctx.session`; none on most requests), then the
  // after-response work (teardown, background tasks) may start.
  const end = (ctx: AnyContext, value: unknown, error: unknown, failed: boolean): unknown => {
    const pending = ctx.runBeforeSend();
    if (pending === undefined) {
      ctx.settle();
      if (failed) throw error;
      return value;
    }
    return pending.then(
      () => {
        ctx.settle();
        if (failed) throw error;
        return value;
      },
      (taskError: unknown) => {
        ctx.settle();
        if (!failed) throw taskError;
        // The handler's error is the answer; the task's (a session not saved) is logged.
        ctx.request.log.error({ err: taskError }, 'a task after the failed handler failed too');
        throw error;
      },
    );
  };

  // Validation, dependencies and the handler, once the `beforeHandler` hooks ran.
  const proceed = (ctx: AnyContext, request: FastifyRequest, reply: FastifyReply): unknown => {
    let result: unknown;
    try {
      const cookies = validate(request);
      if (cookies !== undefined) ctx.setCookies(cookies);
      result = serve(ctx, request, reply);
    } catch (error) {
      return end(ctx, undefined, error, true);
    }
    if (!(result instanceof Promise)) return end(ctx, result, undefined, false);
    return result.then(
      (value) => end(ctx, value, undefined, false),
      (error: unknown) => end(ctx, undefined, error, true),
    );
  };

  // Resolves the dependencies and runs the handler: a promise only when one of them is async.
  function serve(ctx: Context, request: FastifyRequest, reply: FastifyReply): unknown {
    if (emptyDeps) ctx.deps = {};
    if (!hasDeps) return run(ctx, request, reply);
    const cache = new Map<Dependency, unknown>();
    let pending = resolveInto(ctx, effectEntries, cache, overrides, {});
    if (namedEntries.length > 0) {
      const values: Record<string, unknown> = {};
      ctx.deps = values;
      pending = pending
        ? pending.then(() => resolveInto(ctx, namedEntries, cache, overrides, values))
        : resolveInto(ctx, namedEntries, cache, overrides, values);
    }
    return pending ? pending.then(() => run(ctx, request, reply)) : run(ctx, request, reply);
  }

  // Synchronous as long as the hooks, validators, dependencies and handler are: an async step
  // costs a promise and a microtask on every request, so it is taken only when something awaits.
  function handler(request: FastifyRequest, reply: FastifyReply): unknown {
    if (lifecycle.draining && arrivedWhileClosing(reply)) {
      request.log.info('request refused: the server is shutting down');
      sendProblem(reply, new HttpError(503, { code: 'VOLT_HTTP_SHUTTING_DOWN', detail: SHUTTING_DOWN }));
      return undefined;
    }
    const ctx = hooks.shareContext
      ? sharedContext(request, reply, AppContext)
      : new AppContext(request, reply);
    // Read per request: an app may ask to track after its routes were compiled.
    return hooks.trackContext ? inRequestContext(ctx, respond, request, reply) : respond(ctx, request, reply);
  }

  /** The `beforeHandler` hooks, dependencies and handler of a request, from its context on. */
  function respond(ctx: Context, request: FastifyRequest, reply: FastifyReply): unknown {
    const beforeHooks = hooks.beforeHandler;
    if (beforeHooks.length > 0) {
      // A hook that fails still has its context's `beforeSend` tasks run (a session it changed
      // is saved), as a failing handler does.
      let pending: Promise<void> | undefined;
      try {
        pending = runHooks(beforeHooks, ctx);
      } catch (error) {
        return end(ctx, undefined, error, true);
      }
      if (pending)
        return pending
          .then(
            () => proceed(ctx, request, reply),
            (error: unknown) => end(ctx, undefined, error, true),
          )
          .then(afterAwait);
    }
    const result = proceed(ctx, request, reply);
    return result instanceof Promise ? result.then(afterAwait) : withoutAwait(reply, result);
  }

  const definition: FastifyRouteOptions = {
    method: route.method,
    url: route.path,
    handler,
    config: { [ROUTE_RECORD]: route },
  };
  if (route.options.response) definition.schema = { response: route.options.response };
  if (route.options.bodyLimit !== undefined) definition.bodyLimit = route.options.bodyLimit;
  if (route.method !== 'GET' && route.method !== 'HEAD')
    definition.onRequest = [mediaTypeCheck(route.method, bodyMediaTypes(route.options))];
  return definition;
}
