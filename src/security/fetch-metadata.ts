/**
 * Fetch Metadata: a browser says in `Sec-Fetch-Site` where a request came from. An unsafe
 * request (POST, PUT, PATCH, DELETE…) that another site made the browser send is refused with
 * a 403 before any handler runs, whatever authenticates it — the second CSRF layer beside the
 * Origin and token checks of sessions, as in OWASP's recommendation, Go's
 * `CrossOriginProtection` and Rails.
 *
 * - `same-origin`, and `none` (the user typed the address, or used a bookmark), pass;
 * - `cross-site` and `same-site` (a sibling subdomain is another origin too, perhaps one with
 *   user content) are refused unless the request's `Origin` is in `CSRF_TRUSTED_ORIGINS`,
 *   the opt-in for front ends on other origins;
 * - no header (older browsers, programs) passes: the other checks still apply.
 */
import type { FastifyRequest } from 'fastify';
import { HttpError } from '../http/errors.ts';

/** The methods that must not change anything (RFC 9110 §9.2.1): no CSRF check applies to them. */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/**
 * `value` when it is exactly a serialized `http(s)` origin (`https://host[:port]`, as browsers
 * send `Origin`), else `undefined`: user info (`http://evil@host`), a path, a query or odd
 * spelling make it something else than the origin it would parse to.
 *
 * @example
 * ```ts
 * exactOrigin('https://shop.example.com');      // 'https://shop.example.com'
 * exactOrigin('https://evil@shop.example.com'); // undefined
 * ```
 */
export function exactOrigin(value: string | undefined): string | undefined {
  if (value === undefined || value.length > 2048) return undefined;
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return url.origin === value ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The check of unsafe cross-site requests, for `trusted` origins (`CSRF_TRUSTED_ORIGINS`): a
 * function answering the 403 to send, or `undefined` to let the request go on.
 *
 * @example
 * ```ts
 * const crossSite = crossSiteCheck(app.settings.csrfTrustedOrigins);
 * const refusal = crossSite(request); // HttpError 403 for a cross-site POST, else undefined
 * ```
 */
export function crossSiteCheck(
  trusted: readonly string[],
): (request: FastifyRequest) => HttpError | undefined {
  const allowed = new Set(trusted.map((origin) => exactOrigin(origin) ?? origin));
  return (request) => {
    if (SAFE_METHODS.has(request.method)) return undefined;
    const site = request.headers['sec-fetch-site'];
    if (site !== 'cross-site' && site !== 'same-site') return undefined;
    const origin = request.headers.origin;
    const exact = exactOrigin(origin);
    if (exact !== undefined && allowed.has(exact)) return undefined;
    return new HttpError(403, {
      code: 'VOLT_SECURITY_CROSS_SITE',
      title: 'CSRF check failed',
      detail: `CSRF check failed: the browser sent this request for another site (Sec-Fetch-Site: ${site}${origin === undefined ? '' : `, Origin: ${origin.slice(0, 200)}`}), whose origin is not in CSRF_TRUSTED_ORIGINS.`,
    });
  };
}
