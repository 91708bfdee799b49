/**
 * Every failure becomes a problem+json response: Volt's own errors, Fastify's (body too
 * large, bad JSON, wrong media type), the data layer's (no such row, invalid or conflicting
 * input), unknown routes and methods, and everything else as a 500 that says nothing about
 * the internals unless debug is on.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import FindMyWay from 'find-my-way';
import { routeOf } from './compile.ts';
import { settleShared } from './context.ts';
import { dataLayerError, isStoppedWork } from './data-errors.ts';
import { HttpError, PROBLEM_CONTENT_TYPE, type ProblemDetails } from './errors.ts';
import { bodyMediaTypes, unsupportedMediaType } from './media-types.ts';

/**
 * Maps an error to a response. Return an {@link HttpError} to answer with it, or nothing to
 * let the next mapper (and finally Volt's defaults) handle the error.
 */
export type ErrorMapper = (
  error: unknown,
  request: FastifyRequest,
  // biome-ignore lint/suspicious/noConfusingVoidType: a mapper that only logs may return nothing.
) => HttpError | undefined | void;

// Fastify's client-error codes and what Volt says for them (its own messages can quote internals).
const ENGINE_ERRORS: Record<string, (request: FastifyRequest) => string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () => 'The request body is larger than the limit.',
  // On a route of Volt's own, the route's accepted types are named instead (./media-types.ts).
  FST_ERR_CTP_INVALID_MEDIA_TYPE: (request) => {
    const type = request.headers['content-type'];
    return type === undefined
      ? 'The request has a body but no Content-Type header.'
      : `Content type "${type.slice(0, 100)}" is not supported.`;
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => 'The Content-Length header does not match the body.',
  FST_ERR_CTP_EMPTY_JSON_BODY: () => 'The body is empty but the Content-Type says application/json.',
  FST_ERR_CTP_INVALID_JSON_BODY: () => 'The request body is not valid JSON.',
  FST_ERR_CTP_EMPTY_TYPE: () => 'The Content-Type header is empty.',
  FST_ERR_CTP_INVALID_TYPE: () => 'The Content-Type header is not valid.',
  FST_ERR_BAD_URL: () => 'The URL is not valid.',
  FST_ERR_MAX_PARAM_LENGTH: () => 'A path parameter is longer than the limit.',
  FST_ERR_ASYNC_CONSTRAINT: () => 'The request could not be routed.',
};

function engineClientError(error: unknown, request: FastifyRequest): HttpError | undefined {
  if (!(error instanceof Error)) return undefined;
  const { statusCode, code } = error as FastifyError;
  if (typeof statusCode !== 'number' || statusCode < 400 || statusCode > 499) return undefined;
  // Only Fastify's own errors (and its plugins', which share the FST_ prefix) count: any other
  // error with a statusCode — an upstream HTTP client's, say — may quote internals in its message.
  if (typeof code !== 'string' || !code.startsWith('FST_')) return undefined;
  const route = code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? routeOf(request) : undefined;
  // No parser for the type (or no type at all): name what the route takes, as its own check does.
  if (route)
    return unsupportedMediaType(
      request.method,
      request.headers['content-type'],
      bodyMediaTypes(route.options),
    );
  const describe = ENGINE_ERRORS[code];
  if (describe) return new HttpError(statusCode, { detail: describe(request), cause: error });
  // Any other 4xx raised by the engine or a plugin: its message was written for clients.
  return new HttpError(statusCode, { detail: error.message, cause: error });
}

/** The `instance` of a server error's problem: the request id its log lines carry. */
export function requestInstance(requestId: string): string {
  return `urn:volt:request:${requestId}`;
}

/**
 * Sends a problem+json response. Every error response carries the request id in `X-Request-Id`,
 * and a server error (5xx) also as its `instance`, so what a client reports leads to the log line.
 */
export function sendProblem(
  reply: FastifyReply,
  error: HttpError,
  extra?: Record<string, unknown>,
): FastifyReply {
  const problem: ProblemDetails = { ...error.toProblem(), ...extra };
  const id = reply.request.id;
  if (error.status >= 500 && problem.instance === undefined) problem.instance = requestInstance(id);
  reply.code(error.status).header('content-type', PROBLEM_CONTENT_TYPE).header('x-request-id', id);
  if (error.headers) reply.headers(error.headers);
  return reply.send(JSON.stringify(problem));
}

/**
 * Answers the errors Fastify's router raises before any route or error handler runs: a path
 * that is not valid percent-encoding (400) or a parameter past `maxParamLength` (414). Fastify
 * would answer them with plain JSON that quotes the path. Pass it as Fastify's `frameworkErrors`.
 */
export function sendRouterError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const clientError = engineClientError(error, request);
  if (clientError) return sendProblem(reply, clientError);
  request.log.error({ err: error }, 'routing failed');
  return sendProblem(reply, new HttpError(500, { detail: 'The server could not complete the request.' }));
}

/**
 * Whether the error is Node's `aborted` (`ECONNRESET`) from reading the body of a request whose
 * client closed the connection; an `ECONNRESET` from an upstream call, with the client still
 * there, stays a server error. The socket tells: `request.raw.destroyed` is also true once a
 * body was read whole, with the client still connected and waiting.
 */
function clientLeft(error: unknown, request: FastifyRequest): boolean {
  return (
    error instanceof Error &&
    (error as NodeJS.ErrnoException).code === 'ECONNRESET' &&
    request.raw.socket?.destroyed === true
  );
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** Installs Volt's error, 404 and 405 handling on a Fastify instance. */
export function installErrorHandling(
  fastify: FastifyInstance,
  options: { debug: () => boolean; mappers: readonly ErrorMapper[] },
): void {
  // A second, handler-less router of every route, consulted only on a 404 to tell 405 apart.
  const known = FindMyWay({ ignoreTrailingSlash: false });
  const noop = () => {};
  fastify.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (!known.find(method as 'GET', route.url)) known.on(method as 'GET', route.url, noop);
    }
  });

  fastify.setNotFoundHandler((request, reply) => {
    settleShared(request);
    const path = request.url.split('?', 1)[0] ?? '/';
    const allowed = METHODS.filter((m) => m !== request.method && known.find(m, path) !== null);
    if (allowed.length > 0) {
      return sendProblem(
        reply,
        new HttpError(405, {
          detail: `${request.method} is not allowed here; use ${allowed.join(', ')}.`,
          headers: { allow: allowed.join(', ') },
        }),
      );
    }
    // A trailing slash (Django REST framework's routers add one): name the route that exists.
    const bare = path.length > 1 && path.endsWith('/') ? path.replace(/\/+$/, '') || '/' : undefined;
    const hint =
      bare !== undefined && known.find(request.method as 'GET', bare) !== null
        ? ` Did you mean ${bare}?`
        : '';
    return sendProblem(
      reply,
      new HttpError(404, { detail: `No route matches ${request.method} ${path}.${hint}` }),
    );
  });

  fastify.setErrorHandler((error: unknown, request, reply) => {
    // A refusal before the handler (a hook, the media type, the body) ends what hooks queued.
    settleShared(request);
    for (const mapper of options.mappers) {
      let mapped: ReturnType<ErrorMapper>;
      try {
        mapped = mapper(error, request);
      } catch (mapperError) {
        request.log.error({ err: mapperError }, 'error mapper failed');
      }
      if (mapped instanceof HttpError) return respond(mapped);
    }
    if (error instanceof HttpError) return respond(error);
    const clientError = engineClientError(error, request) ?? dataLayerError(error, request);
    if (clientError) return respond(clientError);

    if (clientLeft(error, request)) {
      // Not a server fault: the client stopped sending (a cancelled upload, a closed tab).
      request.log.info(
        { code: 'ECONNRESET' },
        'client closed the connection before the request was complete',
      );
      // 499, nginx's "client closed request", as for work the client's leaving stopped: nobody
      // reads it, the access log shows why the request ended.
      return sendProblem(
        reply,
        new HttpError(499, {
          title: 'Client Closed Request',
          detail: 'The request was not received completely.',
        }),
      );
    }
    request.log.error({ err: error }, 'unhandled error');
    const debug = options.debug();
    const internal = new HttpError(500, {
      detail: debug && error instanceof Error ? error.message : 'The server could not complete the request.',
    });
    const stack =
      debug && error instanceof Error && error.stack ? { stack: error.stack.split('\n') } : undefined;
    return sendProblem(reply, internal, stack);

    function respond(httpError: HttpError) {
      if (httpError.status >= 500) {
        const level = isStoppedWork(httpError.cause) ? 'warn' : 'error';
        request.log[level]({ err: httpError.cause ?? httpError }, httpError.message);
      }
      return sendProblem(reply, httpError);
    }
  });
}
