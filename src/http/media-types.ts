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
 *
 * The same check refuses what would make a body read other than as sent: a `Content-Encoding`
 * other than `identity` (Volt does not decompress), two `Content-Type` headers (Node keeps only
 * the first), or a Content-Type repeating a parameter (`charset=utf-8; charset=latin1`).
 */
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { parseContentType } from './content-type.ts';
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

/** The 415 of a body sent with a `Content-Encoding` (RFC 7694: `Accept-Encoding` names what is taken). */
function encodedBody(): HttpError {
  return new HttpError(415, {
    detail:
      'The request body has a Content-Encoding; send it uncompressed (Content-Encoding: identity, or none).',
    headers: { 'accept-encoding': 'identity' },
  });
}

/** Whether a `Content-Encoding` header says the body is as it is. */
function isIdentity(encoding: string): boolean {
  return encoding === 'identity' || encoding.trim().toLowerCase() === 'identity';
}

/** How many `Content-Type` headers a request has: Node's `headers` keeps only the first. */
function contentTypeHeaders(raw: readonly string[]): number {
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    // The two usual spellings without building a lower-case copy; any other the slow way.
    if (
      name.length === 12 &&
      (name === 'Content-Type' || name === 'content-type' || name.toLowerCase() === 'content-type')
    )
      count++;
  }
  return count;
}

/**
 * What makes a request's body unreadable as sent, whatever the route takes: a Content-Encoding,
 * two Content-Type headers, a repeated parameter. `undefined` when none.
 */
function bodyHeadersProblem(request: FastifyRequest, contentType: string | undefined): HttpError | undefined {
  const encoding = request.headers['content-encoding'];
  if (encoding !== undefined && !isIdentity(encoding)) return encodedBody();
  if (contentType === undefined) return undefined;
  if (contentTypeHeaders(request.raw.rawHeaders) > 1)
    return new HttpError(415, { detail: 'The request has more than one Content-Type header; send one.' });
  const { repeated } = parseContentType(contentType);
  if (repeated !== undefined)
    return new HttpError(415, {
      detail: `The Content-Type header has more than one "${repeated.slice(0, 40)}" parameter; send one.`,
    });
  return undefined;
}

function emptyBody(request: FastifyRequest): boolean {
  const headers = request.headers;
  return headers['transfer-encoding'] === undefined && (headers['content-length'] ?? '0') === '0';
}

/**
 * The route-level `onRequest` hook of a route taking `types`: lets a body of an accepted type (or
 * no content type, which Fastify answers itself) through to its parser, and answers any other
 * with a 415 before a byte of it is read — and so a body with a `Content-Encoding`, two
 * `Content-Type` headers or a repeated parameter. A route that reads no body lets an empty body
 * through whatever its headers say. An `onRequest` hook rather than a `preParsing` one: it joins
 * the app's own `onRequest` hooks (run after them, so the 415 has the security headers), while a
 * `preParsing` phase of its own cost about 1 µs a request.
 *
 * The Content-Type is parsed once per distinct header text (`parseContentType()`'s cache); the
 * common case, exactly the first accepted type, is not parsed at all.
 */
export function mediaTypeCheck(method: string, types: BodyMediaTypes): onRequestHookHandler {
  const accepted = new Set(types.accepted);
  const [first] = types.accepted;
  return function checkMediaType(request, reply: FastifyReply, done) {
    const contentType = request.headers['content-type'];
    let problem = bodyHeadersProblem(request, contentType);
    // No content type is Fastify's to answer; exactly the first accepted type costs one comparison.
    if (
      problem === undefined &&
      contentType !== undefined &&
      contentType !== first &&
      !accepted.has(parseContentType(contentType).type)
    )
      problem = unsupportedMediaType(method, contentType, types);
    if (problem === undefined || (!types.readsBody && emptyBody(request))) {
      done();
      return;
    }
    // The unread body stays on the socket: close it rather than read it to keep the connection.
    reply.header('connection', 'close');
    done(problem);
  };
}
