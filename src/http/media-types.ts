/**
 * The media types a route takes a body in, decided once per route at startup, and the check
 * that refuses any other with a 415 before the body is read.
 *
 * Form, multipart and plain-text bodies are what a page on another site can send without a CORS
 * preflight; a JSON route that parsed them would act on a cross-site form post. So a route whose
 * `body` is declared takes `application/json` only, unless its `bodyTypes` list others. A route
 * without a declared body takes no body: an empty one of any type, or a JSON or form body that
 * it ignores (an HTML form posting to such a route carries at most its CSRF token), and refuses
 * any other.
 */
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { HttpError } from './errors.ts';
import type { RouteOptions } from './route.ts';

/** The media type of JSON bodies. */
export const JSON_CONTENT_TYPE = 'application/json';

const FORM = 'application/x-www-form-urlencoded';

/** The body media types of a route: declared, and what is accepted. */
export interface BodyMediaTypes {
  /** Lower-case media types (no parameters) the route takes a body in. */
  readonly accepted: readonly string[];
  /** Whether the route reads a body (declares `body` or `bodyTypes`). */
  readonly readsBody: boolean;
}

/** `text/plain; charset=utf-8` → `text/plain`. */
export function mediaTypeOf(contentType: string): string {
  const semicolon = contentType.indexOf(';');
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}

/**
 * The media types a route takes: its `bodyTypes`, else `application/json` when it declares a
 * body, else (no body) JSON and forms, which it ignores.
 *
 * @example
 * ```ts
 * bodyMediaTypes({ body: t.Object({}) }).accepted; // ['application/json']
 * ```
 */
export function bodyMediaTypes(options: Pick<RouteOptions, 'body' | 'bodyTypes'>): BodyMediaTypes {
  const readsBody = options.body !== undefined || options.bodyTypes !== undefined;
  const declared =
    options.bodyTypes ?? (options.body !== undefined ? [JSON_CONTENT_TYPE] : [JSON_CONTENT_TYPE, FORM]);
  return { accepted: [...new Set(declared.map(mediaTypeOf))], readsBody };
}

/** `"a"`, `"a or b"`, `"a, b or c"`. */
function orList(items: readonly string[]): string {
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} or ${items.at(-1)}` : (items[0] ?? '');
}

/**
 * The 415 for a body of `contentType` (`undefined`: none sent) on a route taking `types`.
 * POST and PATCH answers name the accepted types in `Accept-Post` (W3C LDP) and `Accept-Patch`
 * (RFC 5789) too.
 */
export function unsupportedMediaType(
  method: string,
  contentType: string | undefined,
  types: BodyMediaTypes,
): HttpError {
  const sent =
    contentType === undefined
      ? 'The request has a body but no Content-Type header'
      : `Content type "${contentType.slice(0, 100)}" is not accepted here`;
  const detail = types.readsBody
    ? `${sent}; send ${orList(types.accepted)}.`
    : `${sent}: this route takes no body (send none; a JSON or form body is ignored).`;
  const headers: Record<string, string> = {};
  if (types.readsBody && method === 'POST') headers['accept-post'] = types.accepted.join(', ');
  if (types.readsBody && method === 'PATCH') headers['accept-patch'] = types.accepted.join(', ');
  return new HttpError(415, { detail, headers });
}

function emptyBody(request: FastifyRequest): boolean {
  const headers = request.headers;
  return headers['transfer-encoding'] === undefined && (headers['content-length'] ?? '0') === '0';
}

/**
 * The route-level `onRequest` hook of a route taking `types`: lets a body of an accepted type (or
 * no content type, which Fastify answers itself) through to its parser, and answers any other
 * with a 415 before a byte of it is read. A route that reads no body lets an empty body of any
 * type through. An `onRequest` hook rather than a `preParsing` one: it joins the app's own
 * `onRequest` hooks (run after them, so the 415 has the security headers), while a `preParsing`
 * phase of its own cost about 1 µs a request.
 */
export function mediaTypeCheck(method: string, types: BodyMediaTypes): onRequestHookHandler {
  const accepted = new Set(types.accepted);
  const [first] = types.accepted;
  return function checkMediaType(request, reply: FastifyReply, done) {
    const contentType = request.headers['content-type'];
    // The common case costs one comparison: exactly the first accepted type, no parameters.
    if (contentType === undefined || contentType === first || accepted.has(mediaTypeOf(contentType))) {
      done();
      return;
    }
    if (!types.readsBody && emptyBody(request)) {
      done();
      return;
    }
    // The unread body stays on the socket: close it rather than read it to keep the connection.
    reply.header('connection', 'close');
    done(unsupportedMediaType(method, contentType, types));
  };
}
