/**
 * URLs in messages without their secrets. A database, mail or Redis URL carries a password
 * (`postgres://app:s3cret@db:5432/app`, or `?password=` in the query): messages that show such
 * a setting show its scheme and host only (`postgres://db:5432`), so an error page, a log line
 * or `volt check`'s output never hands the password to whoever reads it. (The request log's
 * URLs, whose secrets are query and path parameters, are `log-redaction.ts`'s.)
 */

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;
// Where a URL with an authority starts in free text. Where it ends is not looked for with a
// character class: a password may hold quotes, brackets, `@` — anything but whitespace.
const URL_START = /\b([a-z][a-z0-9+.-]*):\/\//gi;
// The end of an authority (RFC 3986 §3.2); a URL in free text ends at whitespace.
const AUTHORITY_END = /[/?#]/;
const WHITESPACE = /\s/;

/**
 * `scheme://host[:port]` of a URL, without user, password, path or query. A URL with no
 * authority (`sqlite:./data/app.db`) holds no credentials and is shown as it is, unless it has
 * an `@`; what cannot be read as a URL is shown as its scheme, or hidden.
 *
 * @example
 * ```ts
 * maskUrl('postgres://app:s3cret@db.example.com:5432/app'); // 'postgres://db.example.com:5432'
 * maskUrl('sqlite:./data/app.db'); // 'sqlite:./data/app.db'
 * ```
 */
export function maskUrl(value: string): string {
  const scheme = SCHEME.exec(value)?.[1];
  if (scheme === undefined) return value.includes('@') ? '(hidden: it may hold a password)' : value;
  if (!value.slice(scheme.length + 1).startsWith('//'))
    return value.includes('@') || value.includes('?') ? `${scheme}:…` : value;
  let host = '';
  try {
    host = new URL(value).host;
  } catch {
    // Unreadable (a bad port, an unencoded character in the password): the scheme only.
  }
  return host === '' ? `${scheme}://…` : `${scheme}://${host}`;
}

/**
 * `text` with every URL that carries a user, a password or a query replaced by
 * {@link maskUrl}'s form (`scheme://host[:port]`, the rest of the URL up to the next whitespace
 * dropped); other URLs (links to documentation) are left alone.
 *
 * The user info is everything before the last `@` of the authority (which ends at the first
 * `/`, `?`, `#` or whitespace), so a password holding quotes or `@` is hidden too. A password
 * holding an unencoded `/`, `?` or `#` makes the URL unreadable: it is shown as `scheme://…`.
 * (A password holding unencoded whitespace cannot be told from the text after it.)
 *
 * @example
 * ```ts
 * maskUrls('cannot reach redis://:pw@cache:6379/0'); // 'cannot reach redis://cache:6379'
 * maskUrls(`"postgres://app:it's@db/app" failed`); // '"postgres://db failed'
 * ```
 */
export function maskUrls(text: string): string {
  let out = '';
  let shown = 0;
  for (const match of text.matchAll(URL_START)) {
    const start = match.index;
    if (start < shown) continue; // inside a URL already masked (one in another's query)
    const rest = text.slice(start + match[0].length);
    const length = searchOr(rest, WHITESPACE, rest.length);
    const masked = maskAuthority(match[1]!, rest.slice(0, length));
    if (masked === undefined) continue;
    out += text.slice(shown, start) + masked;
    shown = start + match[0].length + length;
  }
  return shown === 0 ? text : out + text.slice(shown);
}

/** The index of the first match of `pattern` in `text`, or `fallback`. */
function searchOr(text: string, pattern: RegExp, fallback: number): number {
  const index = text.search(pattern);
  return index < 0 ? fallback : index;
}

/**
 * `scheme://host` for a URL found in text (`rest` is what follows `scheme://`, up to the next
 * whitespace) that carries a user, a password or a query, else `undefined` (shown as it is).
 */
function maskAuthority(scheme: string, rest: string): string | undefined {
  const end = searchOr(rest, AUTHORITY_END, rest.length);
  const authority = rest.slice(0, end);
  const at = authority.lastIndexOf('@');
  if (at >= 0) return `${scheme}://${authority.slice(at + 1) || '…'}`;
  const after = rest.slice(end);
  if (after.includes('@')) {
    // An `@` past the authority: in a path or query (`/@user`), or ending a password that holds
    // a `/`, `?` or `#` (`app:pa#ss@db`). Only a URL that reads without user info is kept.
    let url: URL | undefined;
    try {
      url = new URL(`${scheme}://${rest}`);
    } catch {
      // Not a URL: the authority may be the first half of a password.
    }
    if (url === undefined || url.username !== '' || url.password !== '')
      return `${scheme}://${url?.host || '…'}`;
  }
  // A host:port whose port is no number is the first half of a user:password (the rest after
  // whitespace in it).
  const colon = authority.indexOf(':');
  if (!authority.startsWith('[') && colon >= 0 && !/^\d*$/.test(authority.slice(colon + 1)))
    return `${scheme}://…`;
  return after.includes('?') ? `${scheme}://${authority}` : undefined;
}
