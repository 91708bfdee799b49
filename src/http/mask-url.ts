/**
 * URLs in messages without their secrets. A database, mail or Redis URL carries a password
 * (`postgres://app:s3cret@db:5432/app`, or `?password=` in the query): messages that show such
 * a setting show its scheme and host only (`postgres://db:5432`), so an error page, a log line
 * or `volt check`'s output never hands the password to whoever reads it. (The request log's
 * URLs, whose secrets are query and path parameters, are `log-redaction.ts`'s.)
 */

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;
// A URL with an authority inside free text: up to the next space, quote or angle bracket.
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;

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
 * {@link maskUrl}'s form; other URLs (links to documentation) are left alone.
 *
 * @example
 * ```ts
 * maskUrls('cannot reach redis://:pw@cache:6379/0'); // 'cannot reach redis://cache:6379'
 * ```
 */
export function maskUrls(text: string): string {
  return text.replace(URL_IN_TEXT, (url) => (/[@?]/.test(url) ? maskUrl(url) : url));
}
