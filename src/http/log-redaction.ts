/**
 * What the log says of a request, with the secrets it can carry taken out: a password-reset
 * link's token, an API key or a signature in the query, a token in the path, and the values of
 * credential headers (`Authorization`, `Cookie`, `X-API-Key`…) in a `headers` object a handler
 * logs. Log files are read by more people, and kept longer, than the secrets they would
 * otherwise hold.
 */
import type { FastifyRequest } from 'fastify';

/** What stands in the log for a redacted value. */
export const REDACTED = '[REDACTED]';

// Names that hold a secret, in any case: anywhere in the name for the unambiguous ones
// (`resetToken`, `client_secret`, `Proxy-Authorization`, `Set-Cookie`, `X-CSRF-Token`), as a
// whole word for the short ones (`key`, `api_key`, `private_key`, `code`, `sig`, `pass`), so
// `monkey`, `postcode`, `author` or `compass` stay readable.
const SECRET_IN_NAME =
  /token|secret|passw|passphrase|signature|credential|apikey|session|authoriz|cookie|csrf|xsrf|bearer|privatekey/i;
const SECRET_WORDS = new Set(['key', 'code', 'sig', 'pwd', 'pass', 'auth', 'otp', 'nonce', 'jwt']);

const verdicts = new Map<string, boolean>();

/**
 * Whether a query or path parameter, or a header, named `name` holds a secret: `token`, `key`,
 * `code`, `password`/`passwd`, `secret`, `signature`, `authorization`, `cookie`, `session`,
 * `csrf` and the like, in any case and as part of a longer name (`reset_token`, `apiKey`,
 * `X-Amz-Signature`, `Set-Cookie`, `client_secret`, `private_key`).
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

/** Whether a segment of a route is a path parameter (`:token`) named like a secret. */
function secretParam(segment: string): boolean {
  const name = /^:([A-Za-z0-9_]+)/.exec(segment)?.[1];
  return name !== undefined && isSecretName(name);
}

/** The path with the segments matching the route's secret `:params` redacted. */
function redactPath(path: string, route: string): string {
  const pattern = route.split('/');
  const segments = path.split('/');
  if (pattern.length !== segments.length) return path;
  return segments.map((segment, i) => (secretParam(pattern[i]!) ? REDACTED : segment)).join('/');
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

/**
 * {@link serializeRequest}'s object as JSON, written directly: the same members in the same
 * order (an absent `version` left out), for the request line Volt writes itself. `route` is
 * the request's route (`request.routeOptions.url`), which {@link hasSecretParam} says is
 * needed only when some route of the app has a secret parameter.
 */
export function requestJson(request: FastifyRequest, route: string | undefined): string {
  const version = request.headers?.['accept-version'];
  const ip = request.ip;
  const port = request.socket?.remotePort;
  // The method is a token (Node's parser refuses anything else): nothing to escape.
  return `{"method":"${request.method}","url":${JSON.stringify(redactUrl(request.url, route))}${
    version === undefined ? '' : `,"version":${JSON.stringify(version)}`
  },"host":${JSON.stringify(request.host)}${ip === undefined ? '' : `,"remoteAddress":${JSON.stringify(ip)}`}${
    port === undefined ? '' : `,"remotePort":${port}`
  }}`;
}

/** Whether a route (`/reset/:token`) has a path parameter whose name {@link isSecretName} calls secret. */
export function hasSecretParam(route: string): boolean {
  return route.split('/').some(secretParam);
}

/**
 * A copy of a headers object (or any object of named values) for the log, the values of the
 * names {@link isSecretName} calls secret replaced by `[REDACTED]`; the app's logger applies it
 * to a `headers` key (`ctx.log.info({ headers: ctx.request.headers })`).
 *
 * @example
 * ```ts
 * redactHeaders({ authorization: 'Bearer volt_…', accept: '*\/*' });
 * // { authorization: '[REDACTED]', accept: '*\/*' }
 * ```
 */
export function redactHeaders<T>(headers: T): T {
  if (headers === null || typeof headers !== 'object') return headers;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers))
    out[name] = value !== undefined && isSecretName(name) ? REDACTED : value;
  return out as T;
}
