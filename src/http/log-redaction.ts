/**
 * What the request log line says of a request, with the secrets a URL can carry taken out: a
 * password-reset link's token, an API key or a signature in the query, a token in the path. Log
 * files are read by more people, and kept longer, than the secrets they would otherwise hold.
 */
import type { FastifyRequest } from 'fastify';

/** What stands in the log for a redacted value. */
export const REDACTED = '[REDACTED]';

// Names that hold a secret: anywhere in the name for the unambiguous ones (`resetToken`,
// `client_secret`), as a whole word for the short ones (`key`, `api_key`, `code`, `sig`), so
// `monkey` or `postcode` stay readable.
const SECRET_IN_NAME = /token|secret|passw|signature|credential|apikey|session/i;
const SECRET_WORDS = new Set(['key', 'code', 'sig', 'pwd', 'auth', 'otp', 'nonce', 'jwt']);

const verdicts = new Map<string, boolean>();

/**
 * Whether a query or path parameter named `name` holds a secret: `token`, `key`, `code`,
 * `password`, `secret`, `signature` and the like, in any case and as part of a longer name
 * (`reset_token`, `apiKey`, `X-Amz-Signature`).
 *
 * @example
 * ```ts
 * isSecretName('token'); // true
 * isSecretName('page');  // false
 * ```
 */
export function isSecretName(name: string): boolean {
  let verdict = verdicts.get(name);
  if (verdict === undefined) {
    const words = name
      .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
      .toLowerCase()
      .split(/[^a-z0-9]+/);
    verdict = SECRET_IN_NAME.test(name) || words.some((word) => SECRET_WORDS.has(word));
    // Names come from requests: remember a bounded number of them.
    if (verdicts.size < 1000) verdicts.set(name, verdict);
  }
  return verdict;
}

/**
 * `url` with the values of secret query parameters, and of the path parameters the route
 * names like secrets (`/reset/:token`), replaced by `[REDACTED]`.
 *
 * @example
 * ```ts
 * redactUrl('/auth/password-reset/confirm?token=MQ.abc.def&lang=en');
 * // '/auth/password-reset/confirm?token=[REDACTED]&lang=en'
 * redactUrl('/reset/abc123', '/reset/:token'); // '/reset/[REDACTED]'
 * ```
 */
export function redactUrl(url: string, route?: string): string {
  const at = url.indexOf('?');
  let path = at === -1 ? url : url.slice(0, at);
  if (route?.includes(':')) path = redactPath(path, route);
  if (at === -1) return path;
  const query = url
    .slice(at + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      if (equals === -1) return pair;
      let name = pair.slice(0, equals);
      try {
        name = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {}
      return isSecretName(name) ? `${pair.slice(0, equals)}=${REDACTED}` : pair;
    })
    .join('&');
  return `${path}?${query}`;
}

/** The path with the segments matching the route's secret `:params` redacted. */
function redactPath(path: string, route: string): string {
  const pattern = route.split('/');
  const segments = path.split('/');
  if (pattern.length !== segments.length) return path;
  return segments
    .map((segment, i) => {
      const param = /^:([A-Za-z0-9_]+)/.exec(pattern[i]!)?.[1];
      return param !== undefined && isSecretName(param) ? REDACTED : segment;
    })
    .join('/');
}

/**
 * The `req` serializer of the app's logger: what Fastify logs of a request, its URL redacted
 * by {@link redactUrl}.
 */
export function serializeRequest(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: redactUrl(request.url, request.routeOptions?.url),
    version: request.headers?.['accept-version'],
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}
