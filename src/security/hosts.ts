/**
 * `ALLOWED_HOSTS`: the host names the app answers to. A request whose `Host` header names
 * another host gets a 400 before routing, so a forged header cannot reach links the app builds
 * from it (password-reset emails, redirects, absolute URLs).
 *
 * Entries: an exact name (`api.example.com`, `127.0.0.1`, `[::1]`), a domain and all its
 * subdomains (`.example.com`), or `*` for any host (refused in production by the settings).
 *
 * A request names its host in two more ways a check of the `Host` value alone would miss: a
 * second `Host` header (Node keeps the first, a proxy in front may use the last; RFC 9112 §3.2
 * says 400) and an absolute-form target (`GET http://evil.example/ HTTP/1.1`), whose authority
 * HTTP says wins over `Host` (RFC 9112 §3.2.2). Both are checked too.
 */
import type { IncomingMessage } from 'node:http';

/** Tells whether a `Host` header value names an allowed host. */
export type HostCheck = (header: string | undefined) => boolean;

/**
 * The host of a `Host` header: lower case, without the port and a trailing dot; `undefined`
 * when the header is missing or malformed.
 *
 * @example
 * ```ts
 * hostOf('API.example.com:8443'); // 'api.example.com'
 * hostOf('[::1]:8000');           // '[::1]'
 * ```
 */
export function hostOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  let host = header.trim().toLowerCase();
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    if (end === -1) return undefined;
    const rest = host.slice(end + 1);
    if (rest !== '' && !/^:\d{1,5}$/u.test(rest)) return undefined;
    return host.slice(0, end + 1);
  }
  const colon = host.indexOf(':');
  if (colon !== -1) {
    if (!/^\d{1,5}$/u.test(host.slice(colon + 1))) return undefined;
    host = host.slice(0, colon);
  }
  if (host.endsWith('.')) host = host.slice(0, -1);
  // Letters, digits, hyphens and dots only: anything else is not a host name.
  return /^[a-z0-9-]+(\.[a-z0-9-]+)*$/u.test(host) ? host : undefined;
}

/**
 * The check for a list of allowed hosts, or `undefined` when every host is allowed (`*`), so
 * no per-request work is installed at all.
 *
 * @example
 * ```ts
 * const allowed = hostCheck(['example.com', '.example.org'])!;
 * allowed('example.com:8000'); // true
 * allowed('api.example.org');  // true
 * allowed('evil.test');        // false
 * ```
 */
export function hostCheck(allowed: readonly string[]): HostCheck | undefined {
  if (allowed.includes('*')) return undefined;
  const exact = new Set<string>();
  const domains: string[] = [];
  for (const entry of allowed) {
    const name = entry.trim().toLowerCase();
    if (name.startsWith('.')) domains.push(name.slice(1));
    else if (name) exact.add(name.endsWith('.') ? name.slice(0, -1) : name);
  }
  // The header a client sends is nearly always the same few strings: remember the answers.
  const seen = new Map<string, boolean>();
  return (header) => {
    if (header === undefined) return false;
    const known = seen.get(header);
    if (known !== undefined) return known;
    const host = hostOf(header);
    const ok =
      host !== undefined &&
      (exact.has(host) || domains.some((domain) => host === domain || host.endsWith(`.${domain}`)));
    if (seen.size < 1000) seen.set(header, ok);
    return ok;
  };
}

// `scheme://authority` at the start of an absolute-form target; the authority ends at / ? or #.
const ABSOLUTE_TARGET = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i;

/**
 * Why a request does not name an allowed host, or `undefined` when it does: its `Host` header
 * is missing, not allowed or repeated, or its absolute-form target names another host (or user
 * info). With every host allowed (`allowed` undefined) only an HTTP/1.1 request without `Host`
 * is refused. The answer is a sentence for the 400's `detail`; it never quotes the request.
 *
 * @example
 * ```ts
 * const allowed = hostCheck(['example.com'])!;
 * hostProblem(request.raw, allowed); // undefined for `GET / HTTP/1.1` + `Host: example.com`
 * ```
 */
export function hostProblem(request: IncomingMessage, allowed: HostCheck | undefined): string | undefined {
  if (request.headers.host === undefined) {
    // HTTP/1.1 requires it (RFC 9112 §3.2); an HTTP/1.0 request without it is refused only by a host list.
    if (allowed !== undefined || request.httpVersion === '1.1') return 'The request has no Host header.';
    return undefined;
  }
  if (allowed === undefined) return undefined;
  if (!allowed(request.headers.host)) {
    return "The request's Host header names a host this server does not answer to (ALLOWED_HOSTS).";
  }
  // Node keeps only the first of repeated Host headers in `headers`: count them in the raw list.
  const raw = request.rawHeaders;
  let hosts = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 4 && name.toLowerCase() === 'host') hosts++;
  }
  if (hosts > 1) return 'The request has more than one Host header.';
  const target = request.url ?? '/';
  // Origin-form (`/path`) is the usual case; `*` is OPTIONS' asterisk-form.
  if (target.charCodeAt(0) === 47 || target === '*') return undefined;
  const authority = ABSOLUTE_TARGET.exec(target)?.[1];
  if (authority === undefined || authority.includes('@') || !allowed(authority)) {
    return 'The request target names a host this server does not answer to (ALLOWED_HOSTS).';
  }
  return undefined;
}
