/**
 * Cross-site request forgery protection for cookie-authenticated requests.
 *
 * An unsafe request (POST, PUT, PATCH, DELETE) that carries the session cookie must come from
 * the site itself or a trusted origin (its `Origin`, or on HTTPS its `Referer`) and must send
 * the session's CSRF token in the `X-CSRF-Token` header or the `csrf_token` form field.
 * Requests authenticated by a bearer token are exempt: a browser never adds that header to a
 * cross-site request on its own.
 */
import type { FastifyRequest } from 'fastify';
import { HttpError } from '../http/errors.ts';
import { exactOrigin, SAFE_METHODS } from '../security/fetch-metadata.ts';
import type { Sessions } from './sessions.ts';

/** The header a script sends the CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';
/** The form field an HTML form sends the CSRF token in. */
export const CSRF_FIELD = 'csrf_token';

/** The origin (`https://host:port`) the request was sent to. */
function requestOrigin(request: FastifyRequest): string {
  const own = `${request.protocol}://${request.headers.host ?? ''}`;
  // The URL parser lower-cases the host and drops the scheme's default port, as `Origin` does.
  return originOf(own) ?? own.toLowerCase();
}

/** The origin of a URL (the request's own address, a `Referer`), unless it carries user info. */
function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    if (parsed.username !== '' || parsed.password !== '') return undefined;
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Why the request's `Origin` (or, on HTTPS without one, its `Referer`) is not the site's own
 * nor trusted; `undefined` when it is.
 */
export function foreignOrigin(request: FastifyRequest, trusted: readonly string[]): string | undefined {
  const own = requestOrigin(request);
  const allowed = (origin: string) => origin === own || trusted.includes(origin);
  const origin = request.headers.origin;
  if (origin !== undefined) {
    // Only an origin exactly as browsers write it: `http://evil@host` or `http://host/path`
    // parse to this site's origin but are not it.
    if (origin === 'null' || !allowed(exactOrigin(origin) ?? '')) {
      return `the request came from ${origin === 'null' ? 'an opaque origin' : `the origin ${origin.slice(0, 200)}`}, which is neither this site (${own}) nor in CSRF_TRUSTED_ORIGINS`;
    }
    return undefined;
  }
  if (request.protocol !== 'https') return undefined;
  const referer = request.headers.referer;
  if (!referer) return 'an HTTPS request without Origin must send a Referer header';
  const from = originOf(referer);
  if (!from || !allowed(from))
    return `the Referer is ${from ?? 'not a URL'}, which is neither this site (${own}) nor in CSRF_TRUSTED_ORIGINS`;
  return undefined;
}

/** The 403 problem of a failed CSRF check; `reason` says what was wrong. */
export function csrfFailure(reason: string): HttpError {
  return new HttpError(403, {
    code: 'VOLT_AUTH_CSRF_FAILED',
    title: 'CSRF check failed',
    detail: `CSRF check failed: ${reason}.`,
  });
}

/** Whether the request is authenticated by a bearer token rather than by the cookie. */
export function hasBearer(request: FastifyRequest): boolean {
  const header = request.headers.authorization;
  return header !== undefined && /^bearer\s/i.test(header);
}

/**
 * The check of one request, for the auth app's `beforeHandler` hook (after the body is read,
 * before it is validated): resolves when the request passes, rejects with a 403 problem when it
 * does not. Safe methods, requests without the session cookie and bearer-token requests pass
 * untouched (`undefined`: no promise), at the cost of two comparisons; so do the routes in
 * `exempt` (paths as declared), which must never act on the session.
 */
export function csrfCheck(
  sessions: Sessions,
  trusted: readonly string[],
  exempt: ReadonlySet<string> = new Set(),
): (request: FastifyRequest) => Promise<void> | undefined {
  return (request) => {
    if (SAFE_METHODS.has(request.method) || !sessions.hasCookie(request) || hasBearer(request))
      return undefined;
    if (exempt.has(request.routeOptions.url ?? '')) return undefined;
    const foreign = foreignOrigin(request, trusted);
    if (foreign) return Promise.reject(csrfFailure(foreign));
    const body = request.body as Record<string, unknown> | undefined;
    let given = request.headers[CSRF_HEADER];
    if (body !== null && typeof body === 'object' && CSRF_FIELD in body) {
      // The header, when sent, decides; the field is never part of the data the route validates.
      given ??= body[CSRF_FIELD] as string | undefined;
      delete body[CSRF_FIELD];
    }
    return sessions.load(request).then((session) => {
      // A cookie that names no live session authenticates nothing: nothing to protect.
      if (!session.record) return;
      if (typeof given !== 'string' || given === '')
        throw csrfFailure(
          `the CSRF token is missing; send it in the X-CSRF-Token header or the ${CSRF_FIELD} form field`,
        );
      if (!sessions.csrfMatches(session, given)) throw csrfFailure('the CSRF token is incorrect');
    });
  };
}
